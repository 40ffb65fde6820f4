package dev.caravan.placement.peers;

import static dev.caravan.fixtures.Engines.engines;
import static dev.caravan.fixtures.Engines.load;
import static dev.caravan.fixtures.Engines.plain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.engines.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class SglangCacheAwarePlacementTest {

    @Test
    void goesToTheBestMatchWhenItsRateExceedsTheThreshold() {
        List<Engine> es = engines(4);
        SglangCacheAwarePlacement p = new SglangCacheAwarePlacement();
        String shared = "s".repeat(800);
        Engine first = p.place(plain("r0", shared + "a".repeat(100)), es).engine();
        PlacementDecision d = p.place(plain("r1", shared + "b".repeat(200)), es);
        assertThat(d.engine()).isSameAs(first);
        assertThat(d.reason()).isEqualTo(PlacementReason.PREFIX);
    }

    @Test
    void belowTheThresholdGoesToTheSmallestTree() {
        List<Engine> es = engines(3);
        SglangCacheAwarePlacement p = new SglangCacheAwarePlacement();
        Engine big = p.place(plain("r0", "q".repeat(1600)), es).engine();
        // 160 of 1600 characters match (10 %): smallest tree, i.e. not the engine that holds 1600 chars
        PlacementDecision d = p.place(plain("r1", "q".repeat(160) + "w".repeat(1440)), es);
        assertThat(d.engine()).isNotSameAs(big);
        assertThat(d.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
        assertThat(p.treeChars(d.engine())).isEqualTo(1600);
    }

    @Test
    void imbalanceOverridesTheCache() {
        List<Engine> es = engines(2);
        SglangCacheAwarePlacement p = new SglangCacheAwarePlacement();
        String prompt = "p".repeat(1000);
        Engine home = p.place(plain("r0", prompt), es).engine();
        Engine other = es.get(0) == home ? es.get(1) : es.get(0);
        load(home, 70);
        load(other, 5); // 70 - 5 > 64 and 70 > 1.5 x 5
        PlacementDecision d = p.place(plain("r1", prompt), es);
        assertThat(d.engine()).isSameAs(other);
        assertThat(d.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
        load(other, 20); // 70 - 25 <= 64: balanced again, back to the cache
        assertThat(p.place(plain("r2", "z" + prompt), es).engine()).isNotNull();
        assertThat(p.place(plain("r3", prompt + "tail"), es).reason()).isEqualTo(PlacementReason.PREFIX);
    }

    @Test
    void treesAreBoundedLeastRecentlyUsedFirst() {
        List<Engine> es = engines(1);
        SglangCacheAwarePlacement p = new SglangCacheAwarePlacement(0.3, 64, 1.5, 10);
        p.place(plain("r0", "a".repeat(16 * 50)), es);
        assertThat(p.treeChars(es.get(0))).isEqualTo(160);
    }
}
