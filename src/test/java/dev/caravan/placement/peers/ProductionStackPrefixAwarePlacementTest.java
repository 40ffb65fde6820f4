package dev.caravan.placement.peers;

import static dev.caravan.fixtures.Engines.engines;
import static dev.caravan.fixtures.Engines.load;
import static dev.caravan.fixtures.Engines.plain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.engines.Engine;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProductionStackPrefixAwarePlacementTest {

    private static String text(char c, int chars) { return String.valueOf(c).repeat(chars); }

    @Test
    void followsTheLongestMatchingPrefixAndIgnoresLoad() {
        List<Engine> es = engines(4);
        ProductionStackPrefixAwarePlacement p = new ProductionStackPrefixAwarePlacement();
        String shared = text('a', 128 * 4);
        Engine first = p.place(plain("r0", shared + "x".repeat(200)), es).engine();
        load(first, 100); // load is not looked at
        for (int i = 1; i < 20; i++) {
            PlacementDecision d = p.place(plain("r" + i, shared + ("y" + i).repeat(100)), es);
            assertThat(d.engine()).isSameAs(first);
            assertThat(d.reason()).isEqualTo(PlacementReason.PREFIX);
        }
    }

    @Test
    void withoutAMatchPicksAtRandomAmongAllEndpoints() {
        List<Engine> es = engines(4);
        ProductionStackPrefixAwarePlacement p = new ProductionStackPrefixAwarePlacement();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) seen.add(p.place(plain("r" + i, ("distinct" + i + " ").repeat(40)), es).engine().id());
        assertThat(seen).hasSize(4);
    }

    @Test
    void chunksShorterThan128CharactersAreNotMatched() {
        List<Engine> es = engines(8);
        ProductionStackPrefixAwarePlacement p = new ProductionStackPrefixAwarePlacement();
        assertThat(p.place(plain("r", "short prompt"), es).reason()).isEqualTo(PlacementReason.HASH);
        assertThat(p.nodes()).isZero();
    }

    @Test
    void longestMatchNarrowsToTheEndpointsHoldingTheDeeperPrefix() {
        List<Engine> es = engines(2);
        ProductionStackPrefixAwarePlacement p = new ProductionStackPrefixAwarePlacement();
        String base = text('b', 128);
        // both engines learn the first chunk, only one learns the second
        Engine a = null, b = null;
        for (int i = 0; i < 50 && (a == null || b == null || a == b); i++) {
            Engine e = p.place(plain("x" + i, base + text((char) ('c' + i % 20), 10)), es).engine();
            if (a == null) a = e; else b = e;
        }
        String deeper = base + text('z', 128);
        Engine owner = p.place(plain("d", deeper), es).engine();
        for (int i = 0; i < 10; i++) assertThat(p.place(plain("d" + i, deeper + "tail" + i), es).engine()).isSameAs(owner);
    }
}
