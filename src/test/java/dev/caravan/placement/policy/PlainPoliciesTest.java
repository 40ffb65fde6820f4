package dev.caravan.placement.policy;

import static dev.caravan.fixtures.Engines.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlainPoliciesTest {

    @Test
    void roundRobinVisitsEveryEngineInTurn() {
        List<Engine> es = engines(3);
        RoundRobinPlacement rr = new RoundRobinPlacement();
        List<String> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) seen.add(rr.place(plain("r" + i, "x"), es).engine().id());
        assertThat(seen).containsExactly("e0", "e1", "e2", "e0", "e1", "e2");
        assertThat(rr.place(plain("r", "x"), es).reason()).isEqualTo(PlacementReason.ROUND_ROBIN);
    }

    @Test
    void roundRobinRotatesEachModelsEnginesWhenModelsInterleave() {
        // two models on disjoint engines, requests alternating between them
        List<Engine> es = engines(4);
        List<Engine> modelA = es.subList(0, 2);
        List<Engine> modelB = es.subList(2, 4);
        RoundRobinPlacement rr = new RoundRobinPlacement();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            counts.merge(rr.place(plain("a" + i, "x"), modelA).engine().id(), 1, Integer::sum);
            counts.merge(rr.place(plain("b" + i, "x"), modelB).engine().id(), 1, Integer::sum);
        }
        assertThat(counts).containsOnly(Map.entry("e0", 20), Map.entry("e1", 20), Map.entry("e2", 20),
                Map.entry("e3", 20));
    }

    @Test
    void roundRobinStaysEvenWhenTheHealthySetShrinksAndGrows() {
        List<Engine> es = engines(3);
        RoundRobinPlacement rr = new RoundRobinPlacement();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            // e1 drops out every other request (flapping health), the others stay
            List<Engine> now = i % 2 == 0 ? es : List.of(es.get(0), es.get(2));
            counts.merge(rr.place(plain("r" + i, "x"), now).engine().id(), 1, Integer::sum);
        }
        assertThat(rr.place(plain("r", "x"), List.of(es.get(2))).engine().id()).isEqualTo("e2");
        // e0 and e2, always there, share evenly; e1 still gets turns
        assertThat(Math.abs(counts.get("e0") - counts.get("e2"))).isLessThanOrEqualTo(1);
        assertThat(counts.get("e1")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void leastLoadedCountsInFlightAndEngineQueue() {
        List<Engine> es = engines(3);
        load(es.get(0), 2);
        es.get(1).reportedLoad(0, 5, 0.1);
        load(es.get(2), 1);
        PlacementDecision d = new LeastLoadedPlacement().place(plain("r", "x"), es);
        assertThat(d.engine().id()).isEqualTo("e2");
        assertThat(d.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
    }

    @Test
    void leastLoadedBreaksTiesWithoutBias() {
        List<Engine> es = engines(4);
        Map<String, Integer> counts = new HashMap<>();
        LeastLoadedPlacement p = new LeastLoadedPlacement();
        for (int i = 0; i < 4000; i++) counts.merge(p.place(plain("r", "x"), es).engine().id(), 1, Integer::sum);
        assertThat(counts).hasSize(4);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
    }

    @Test
    void sessionKeySticksAndSpreads() {
        List<Engine> es = engines(4);
        SessionAffinityPlacement s = new SessionAffinityPlacement();
        Set<String> used = new HashSet<>();
        for (int k = 0; k < 100; k++) {
            PlacementRequest r = new PlacementRequest("r", "m", "p", null, "user-" + k, Set.of());
            String first = s.place(r, es).engine().id();
            // a second, independent instance agrees (no shared state)
            assertThat(new SessionAffinityPlacement().place(r, es).engine().id()).isEqualTo(first);
            // load does not break plain session stickiness
            load(es.get(Integer.parseInt(first.substring(1))), 1);
            assertThat(s.place(r, es).engine().id()).isEqualTo(first);
            assertThat(s.place(r, es).reason()).isEqualTo(PlacementReason.SESSION);
            used.add(first);
        }
        assertThat(used).hasSize(4);
    }

    @Test
    void sessionOnlyMovesKeysOfARemovedEngine() {
        List<Engine> es = engines(5);
        SessionAffinityPlacement s = new SessionAffinityPlacement();
        List<Engine> fewer = es.subList(0, 4);
        for (int k = 0; k < 200; k++) {
            PlacementRequest r = new PlacementRequest("r", "m", "p", null, "k" + k, Set.of());
            String before = s.place(r, es).engine().id();
            String after = s.place(r, fewer).engine().id();
            if (!before.equals("e4")) assertThat(after).isEqualTo(before);
        }
    }

    @Test
    void sessionWithoutKeyIsLeastLoaded() {
        List<Engine> es = engines(2);
        load(es.get(0), 3);
        PlacementDecision d = new SessionAffinityPlacement().place(plain("r", "x"), es);
        assertThat(d.engine().id()).isEqualTo("e1");
        assertThat(d.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
        // a header sent blank is no key either: every such client would otherwise share one engine
        PlacementRequest blank = new PlacementRequest("r", "m", "x", null, "  ", Set.of());
        assertThat(new SessionAffinityPlacement().place(blank, es).reason()).isEqualTo(PlacementReason.LEAST_LOADED);
    }

    @Test
    void registryByName() {
        PlacementPolicies p = PlacementPolicies.plain();
        assertThat(p.get("round-robin")).isInstanceOf(RoundRobinPlacement.class);
        assertThat(p.get("least-loaded")).isInstanceOf(LeastLoadedPlacement.class);
        assertThat(p.get("session")).isInstanceOf(SessionAffinityPlacement.class);
        assertThatThrownBy(() -> p.get("nope")).hasMessageContaining("round-robin");
    }
}
