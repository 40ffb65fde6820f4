package dev.caravan.placement.peers;

import static dev.caravan.fixtures.Engines.engines;
import static dev.caravan.fixtures.Engines.plain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.engines.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmdWeightedScorersPlacementTest {

    @Test
    void prefixMatchWinsWhenLoadIsEqual() {
        List<Engine> es = engines(4);
        LlmdWeightedScorersPlacement p = new LlmdWeightedScorersPlacement();
        String prompt = "x".repeat(64 * 10);
        Engine first = p.place(plain("r0", prompt), es).engine();
        PlacementDecision d = p.place(plain("r1", prompt + "more"), es);
        assertThat(d.engine()).isSameAs(first);
        assertThat(d.reason()).isEqualTo(PlacementReason.PREFIX);
    }

    @Test
    void queueAndKvScoresCanOutweighAFullPrefixMatch() {
        List<Engine> es = engines(2);
        LlmdWeightedScorersPlacement p = new LlmdWeightedScorersPlacement();
        String prompt = "y".repeat(64 * 10);
        Engine home = p.place(plain("r0", prompt), es).engine();
        Engine other = es.get(0) == home ? es.get(1) : es.get(0);
        // home: queue 0 (worst), kv 0.1 free -> 2*0 + 2*0.1 + 3*1 = 3.2; other: 2*1 + 2*1 + 0 = 4
        home.reportedLoad(16, 10, 0.9);
        other.reportedLoad(0, 0, 0.0);
        assertThat(p.place(plain("r1", prompt), es).engine()).isSameAs(other);
    }

    @Test
    void halfAMatchIsWorthHalfThePrefixWeight() {
        List<Engine> es = engines(2);
        LlmdWeightedScorersPlacement p = new LlmdWeightedScorersPlacement();
        String half = "h".repeat(64 * 5);
        Engine home = p.place(plain("r0", half), es).engine();
        Engine other = es.get(0) == home ? es.get(1) : es.get(0);
        // home matches 5 of 10 blocks: 2*0 + 2*0.5 + 1.5 = 2.5 < other 2*1 + 2*0.3 = 2.6
        home.reportedLoad(4, 3, 0.5);
        other.reportedLoad(4, 0, 0.7);
        assertThat(p.place(plain("r1", half + "k".repeat(64 * 5)), es).engine()).isSameAs(other);
    }
}
