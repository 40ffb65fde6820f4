package dev.caravan.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapAfterGcTest {

    @Test
    void readsTheHeapLeftAfterEveryPausePerMinuteOfUptime() {
        HeapAfterGc gc = HeapAfterGc.parse(List.of(
                "[0.010s] Using G1",
                "[1.500s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->6M(256M) 3.456ms",
                "[70.100s] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 300M->210M(1024M) 5.1ms",
                "[70.200s] GC(2) Concurrent Mark Cycle",
                "[71.000s] GC(2) Pause Remark 230M->200M(1024M) 1.2ms",
                "[125.000s] GC(3) Pause Full (System.gc()) 250M->150M(1024M) 30.0ms"));

        assertThat(gc.minutes()).containsExactly(
                new HeapAfterGc.Minute(0, 6, 6, 1),
                new HeapAfterGc.Minute(1, 200, 210, 2),
                new HeapAfterGc.Minute(2, 150, 150, 1));
    }

    @Test
    void aFloorThatKeepsRisingAfterWarmUpHasAPositiveSlope() {
        List<String> rising = new ArrayList<>();
        List<String> flat = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            long floor = minute == 0 ? 20 : 100 + 10L * minute;
            rising.add("[" + (minute * 60 + 5) + ".000s] GC(" + minute + ") Pause Young (Normal) (G1 Evacuation Pause) 500M->" + floor + "M(1024M) 4ms");
            flat.add("[" + (minute * 60 + 5) + ".000s] GC(" + minute + ") Pause Young (Normal) (G1 Evacuation Pause) 500M->" + (minute == 0 ? 20 : 100 + minute % 2) + "M(1024M) 4ms");
        }
        assertThat(HeapAfterGc.parse(rising).floorSlopeMiBPerMinute()).isCloseTo(10.0, offset(0.01));
        assertThat(Math.abs(HeapAfterGc.parse(flat).floorSlopeMiBPerMinute())).isLessThan(0.5);
        assertThat(HeapAfterGc.parse(rising.subList(0, 2)).floorSlopeMiBPerMinute()).isNaN();
    }
}
