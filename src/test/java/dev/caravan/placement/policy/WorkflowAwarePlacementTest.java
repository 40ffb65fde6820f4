package dev.caravan.placement.policy;

import static dev.caravan.fixtures.Engines.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.fixtures.MutableClock;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.RoutingProperties;
import dev.caravan.workflows.WorkflowState;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WorkflowAwarePlacementTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final EngineRegistry engineRegistry = new EngineRegistry();

    private PlacementFactory factory(Consumer<RoutingProperties> tune) {
        RoutingProperties rp = new RoutingProperties();
        rp.getPrefix().setBlockChars(16);
        rp.getPrefix().setMaxEntries(10_000);
        tune.accept(rp);
        WorkflowSupportProperties wp = new WorkflowSupportProperties();
        wp.setMaxWorkflows(100_000);
        return new PlacementFactory(rp, wp, engineRegistry, clock);
    }

    private static WorkflowMetadata wf(String id, String agent, String strategy, String parent, Map<String, Object> meta) {
        return new WorkflowMetadata(id, agent, parent, 1.0, ContextSharingStrategy.fromLabel(strategy), meta);
    }

    private static PlacementRequest req(String requestId, WorkflowMetadata md, String prompt) {
        return new PlacementRequest(requestId, "m", prompt, md, null, Set.of());
    }

    private static PlacementRequest req(String requestId, String workflowId) {
        return req(requestId, wf(workflowId, "a", "auto", null, Map.of()), "hello");
    }

    private static PlacementDecision route(PlacementPolicy p, PlacementRequest r, List<Engine> es) {
        PlacementDecision d = p.place(r, es);
        p.onRouted(r, d.engine());
        return d;
    }

    @Test
    void sameWorkflowSameHomeOnIndependentInstances() {
        List<Engine> es = engines(8);
        PlacementPolicy a = factory(rp -> {}).workflowPolicy();
        PlacementPolicy b = factory(rp -> {}).workflowPolicy();
        Set<String> homes = new HashSet<>();
        for (int w = 0; w < 100; w++) {
            PlacementDecision da = route(a, req("r" + w, "wf-" + w), es);
            PlacementDecision db = route(b, req("r" + w, "wf-" + w), es);
            assertThat(da.engine()).isSameAs(db.engine());
            assertThat(da.reason()).isEqualTo(PlacementReason.AFFINITY);
            // later requests go home
            assertThat(route(a, req("s" + w, "wf-" + w), es).engine()).isSameAs(da.engine());
            homes.add(da.engine().id());
        }
        assertThat(homes).hasSize(8);
    }

    @Test
    void agentsOnAnotherModelDoNotMoveTheWorkflowsHome() {
        // A planner on a large model, workers on a small one, each model on its own engines.
        List<Engine> large = List.of(modelEngine("big-0", "large"), modelEngine("big-1", "large"));
        List<Engine> small = List.of(modelEngine("small-0", "small"), modelEngine("small-1", "small"),
                modelEngine("small-2", "small"));
        PlacementFactory f = factory(rp -> {});
        PlacementPolicy p = f.workflowPolicy();
        WorkflowMetadata md = wf("mixed", "planner", "auto", null, Map.of());
        Engine home = route(p, new PlacementRequest("r0", "large", "plan", md, null, Set.of()), large).engine();
        Set<String> smallEngines = new HashSet<>();
        for (int i = 1; i <= 10; i++) {
            PlacementDecision worker = route(p, new PlacementRequest("w" + i, "small", "work " + i,
                    wf("mixed", "worker", "auto", null, Map.of()), null, Set.of()), small);
            assertThat(worker.reason()).isEqualTo(PlacementReason.AFFINITY);
            smallEngines.add(worker.engine().id());
            PlacementDecision planner = route(p, new PlacementRequest("p" + i, "large", "plan " + i, md, null, Set.of()), large);
            assertThat(planner.engine()).isSameAs(home);
            assertThat(planner.reason()).isEqualTo(PlacementReason.AFFINITY);
        }
        assertThat(smallEngines).as("the workers' model keeps one engine too").hasSize(1);
        WorkflowState st = f.registry().get("mixed");
        assertThat(st.home()).isEqualTo(home.id());
        assertThat(st.moveCount()).isZero();
        // The home itself failing still moves it.
        home.markHealthy(false);
        List<Engine> left = large.stream().filter(Engine::isHealthy).toList();
        PlacementDecision moved = route(p, new PlacementRequest("p-after", "large", "plan", md, null, Set.of()), left);
        assertThat(moved.reason()).isEqualTo(PlacementReason.FAILOVER);
        assertThat(st.moveCount()).isEqualTo(1);
    }

    private Engine modelEngine(String id, String model) {
        Engine e = new Engine(id, java.net.URI.create("http://" + id + ":8000"), Set.of(model), Map.of(), false);
        e.markHealthy(true);
        engineRegistry.add(e, null);
        return e;
    }

    @Test
    void twoHundredWorkflowsOverFourEnginesStayWithinBound() {
        List<Engine> es = engines(4);
        PlacementPolicy p = factory(rp -> { rp.setEpsilon(0.25); rp.setMinOverload(0); }).workflowPolicy();
        for (int w = 0; w < 200; w++) {
            PlacementDecision d = route(p, req("r" + w, "flow-" + w), es);
            d.engine().requestStarted(); // each workflow keeps one request in flight
        }
        int max = es.stream().mapToInt(Engine::inFlight).max().orElseThrow();
        double mean = 200 / 4.0;
        assertThat(max / mean).isLessThanOrEqualTo(1.25);
    }

    @Test
    void newHomesStayEvenWhenNothingIsInFlightAndEndedWorkflowsFreeTheirHome() {
        List<Engine> es = engines(8);
        PlacementFactory balanced = factory(rp -> {});
        PlacementFactory pure = factory(rp -> rp.setBalanceHomes(false));
        Map<String, Integer> evenHomes = new HashMap<>();
        Map<String, Integer> pureHomes = new HashMap<>();
        for (int w = 0; w < 30; w++) { // a low rate: every request finishes before the next workflow starts
            evenHomes.merge(route(balanced.workflowPolicy(), req("r" + w, "low-" + w), es).engine().id(), 1, Integer::sum);
            pureHomes.merge(route(pure.workflowPolicy(), req("r" + w, "low-" + w), es).engine().id(), 1, Integer::sum);
        }
        // 30 over 8: 3 or 4 workflows per engine (home-epsilon 0); pure rendezvous hashing is uneven here.
        assertThat(evenHomes.values()).allMatch(c -> c == 3 || c == 4);
        assertThat(evenHomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        assertThat(pureHomes.values().stream().mapToInt(Integer::intValue).max().getAsInt()).isGreaterThan(5);
        for (Engine e : es) assertThat(balanced.registry().homes().on(e.id())).isEqualTo(evenHomes.getOrDefault(e.id(), 0));

        String home = balanced.registry().get("low-0").home();
        int before = balanced.registry().homes().on(home);
        assertThat(balanced.registry().end("low-0")).isTrue();
        assertThat(balanced.registry().homes().on(home)).isEqualTo(before - 1);
        // a later request of the same workflow still goes home (the home is bounded, not rotated)
        String again = route(balanced.workflowPolicy(), req("again", "low-1"), es).engine().id();
        assertThat(again).isEqualTo(balanced.registry().get("low-1").home());
    }

    @Test
    void aNewWorkflowStartsOnTheLeastLoadedEngineThatIsNotHomeToMoreThanItsShare() {
        List<Engine> es = engines(4);
        PlacementFactory f = factory(rp -> {});
        for (int i = 0; i < 3; i++) load(es.get(i), 2); // only e3 is idle
        PlacementDecision d = route(f.workflowPolicy(), req("first", "fresh"), es);
        assertThat(d.engine().id()).isEqualTo("e3");
        assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
        // e3 is now home to one workflow, the others to none: the next new workflow goes elsewhere
        // even though e3 is still the least loaded
        assertThat(route(f.workflowPolicy(), req("second", "fresh-2"), es).engine().id()).isNotEqualTo("e3");
    }

    @Test
    void boundedLoadSkipsAnOverloadedEngine() {
        List<Engine> es = engines(4);
        PlacementFactory f = factory(rp -> rp.setMinOverload(2));
        // a workflow whose first rendezvous choice is e0
        String id = null;
        for (int w = 0; id == null; w++) {
            if (f.rendezvous().top(RendezvousHome.keyHash("w" + w), es) == es.get(0)) id = "w" + w;
        }
        load(es.get(0), 10);
        PlacementDecision d = route(f.workflowPolicy(), req("r1", id), es);
        assertThat(d.engine()).isNotSameAs(es.get(0));
        assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
        // and it is the next rendezvous choice, so replicas still agree
        assertThat(d.engine()).isSameAs(f.rendezvous().top(RendezvousHome.keyHash(id), es.subList(1, 4)));
    }

    @Test
    void spillsThenComesHomeAndMovesOnlyWhenOverloadPersists() {
        List<Engine> es = engines(4);
        PlacementFactory f = factory(rp -> {
            rp.setMinOverload(2);
            rp.getSpill().setSpillsToMove(3);
            rp.getSpill().setOverloadToMove(Duration.ZERO);
            rp.getCostModel().setEnabled(false); // the bounded-load rule spills; learnt costs spread instead
        });
        PlacementPolicy p = f.workflowPolicy();
        Engine home = route(p, req("r0", "wf"), es).engine();
        WorkflowState st = f.registry().get("wf");

        load(home, 20);
        PlacementDecision spill = route(p, req("r1", "wf"), es);
        assertThat(spill.reason()).isEqualTo(PlacementReason.SPILL);
        assertThat(spill.engine()).isNotSameAs(home);
        assertThat(st.home()).isEqualTo(home.id());

        for (int i = 0; i < 20; i++) home.requestFinished();
        PlacementDecision back = route(p, req("r2", "wf"), es);
        assertThat(back.engine()).isSameAs(home);
        assertThat(back.reason()).isEqualTo(PlacementReason.AFFINITY);

        load(home, 20);
        assertThat(route(p, req("r3", "wf"), es).reason()).isEqualTo(PlacementReason.SPILL);
        assertThat(route(p, req("r4", "wf"), es).reason()).isEqualTo(PlacementReason.SPILL);
        assertThat(st.home()).as("two spills are not persistent overload").isEqualTo(home.id());
        PlacementDecision moved = route(p, req("r5", "wf"), es);
        assertThat(moved.reason()).isEqualTo(PlacementReason.SPILL);
        assertThat(st.home()).isNotEqualTo(home.id()).isEqualTo(moved.engine().id());
        assertThat(st.snapshot().moves()).singleElement()
                .satisfies(m -> assertThat(m.reason()).isEqualTo("spill"));
        // the new home now serves the workflow
        assertThat(route(p, req("r6", "wf"), es).engine().id()).isEqualTo(st.home());
        assertThat(route(p, req("r7", "wf"), es).reason()).isEqualTo(PlacementReason.AFFINITY);
    }

    @Test
    void moveAfterOverloadLastingLongEnough() {
        List<Engine> es = engines(3);
        PlacementFactory f = factory(rp -> {
            rp.setMinOverload(2);
            rp.getSpill().setSpillsToMove(100);
            rp.getSpill().setOverloadToMove(Duration.ofSeconds(5));
            rp.getCostModel().setEnabled(false); // the bounded-load rule spills; learnt costs spread instead
        });
        PlacementPolicy p = f.workflowPolicy();
        Engine home = route(p, req("r0", "wf"), es).engine();
        load(home, 20);
        route(p, req("r1", "wf"), es);
        clock.advance(Duration.ofSeconds(3));
        route(p, req("r2", "wf"), es);
        assertThat(f.registry().get("wf").home()).isEqualTo(home.id());
        clock.advance(Duration.ofSeconds(3));
        route(p, req("r3", "wf"), es);
        assertThat(f.registry().get("wf").home()).isNotEqualTo(home.id());
    }

    @Test
    void failoverToNextRendezvousChoice() {
        List<Engine> es = engines(5);
        PlacementFactory f = factory(rp -> {});
        PlacementPolicy p = f.workflowPolicy();
        Engine home = route(p, req("r0", "wf-x"), es).engine();
        List<Engine> healthy = new ArrayList<>(es);
        healthy.remove(home); // the lead drops unhealthy or excluded engines from the candidates
        Engine expected = f.rendezvous().top(RendezvousHome.keyHash("wf-x"), healthy);
        PlacementDecision d = route(p, req("r1", "wf-x"), healthy);
        assertThat(d.reason()).isEqualTo(PlacementReason.FAILOVER);
        assertThat(d.engine()).isSameAs(expected);
        WorkflowState st = f.registry().get("wf-x");
        assertThat(st.home()).isEqualTo(expected.id());
        assertThat(st.snapshot().moves()).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(home.id());
            assertThat(m.to()).isEqualTo(expected.id());
            assertThat(m.reason()).isEqualTo("failover");
        });
        // it stays on the new home when the old one comes back
        assertThat(route(p, req("r2", "wf-x"), es).engine()).isSameAs(expected);
    }

    @Test
    void childFollowsParentEngine() {
        List<Engine> es = engines(6);
        PlacementFactory f = factory(rp -> rp.setMinOverload(2));
        PlacementPolicy p = f.workflowPolicy();
        Engine parentEngine = route(p, req("parent-1", "wf-parent"), es).engine();
        // a child in another workflow whose own home differs
        String child = null;
        for (int w = 0; child == null; w++) {
            if (f.rendezvous().top(RendezvousHome.keyHash("c" + w), es) != parentEngine) child = "c" + w;
        }
        PlacementDecision d = route(p, req("child-1", wf(child, "b", "auto", "parent-1", Map.of()), "x"), es);
        assertThat(d.reason()).isEqualTo(PlacementReason.LINEAGE);
        assertThat(d.engine()).isSameAs(parentEngine);
        // not when the parent's engine is overloaded
        load(parentEngine, 30);
        PlacementDecision d2 = route(p, req("child-2", wf(child, "b", "auto", "parent-1", Map.of()), "x"), es);
        assertThat(d2.reason()).isNotEqualTo(PlacementReason.LINEAGE);
        assertThat(d2.engine()).isNotSameAs(parentEngine);
        // ending the parent's workflow forgets its lineage
        assertThat(f.lineage().engineOf("parent-1")).isEqualTo(parentEngine.id());
        f.registry().end("wf-parent");
        assertThat(f.lineage().engineOf("parent-1")).isNull();
    }

    @Test
    void noneIsPureLoadBalancingWithCacheSalt() {
        List<Engine> es = engines(3);
        PlacementFactory f = factory(rp -> {});
        PlacementPolicy p = f.workflowPolicy();
        load(es.get(0), 3);
        load(es.get(1), 1);
        PlacementRequest r = req("r", wf("iso", "a", "none", null, Map.of()), "x");
        PlacementDecision d = route(p, r, es);
        assertThat(d.engine()).isSameAs(es.get(2));
        assertThat(d.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
        assertThat(r.cacheSalt()).isNotNull();
        assertThat(r.cacheSalt()).isEqualTo("iso");
        assertThat(req("r", "other").cacheSalt()).isNull();
        assertThat(f.registry().get("iso").home()).isNull();
    }

    @Test
    void broadcastSpreadsOverTopKOnly() {
        List<Engine> es = engines(6);
        PlacementFactory f = factory(rp -> { rp.setBroadcastK(2); rp.setMinOverload(1000); });
        PlacementPolicy p = f.workflowPolicy();
        Map<String, Integer> used = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            PlacementDecision d = route(p, req("r" + i, wf("fan", "a" + i, "broadcast", null, Map.of()), "q" + i), es);
            assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
            d.engine().requestStarted(); // keep them in flight so load decides between the two
            used.merge(d.engine().id(), 1, Integer::sum);
        }
        assertThat(used).hasSize(2);
        assertThat(used.values()).allSatisfy(c -> assertThat(c).isBetween(19, 21));
    }

    @Test
    void selectiveSharesHomeOnlyWithListedAgents() {
        List<Engine> es = engines(4);
        PlacementFactory f = factory(rp -> {});
        PlacementPolicy p = f.workflowPolicy();
        Map<String, Object> meta = Map.of("share_with", List.of("planner", "coder"));
        Engine home = route(p, req("r0", wf("sel", "planner", "selective", null, meta), "x"), es).engine();
        assertThat(route(p, req("r1", wf("sel", "coder", "selective", null, meta), "y"), es).engine()).isSameAs(home);
        // an unlisted agent is placed by load: make the home the busiest engine
        load(home, 3);
        PlacementDecision other = route(p, req("r2", wf("sel", "critic", "selective", null, meta), "z"), es);
        assertThat(other.engine()).isNotSameAs(home);
        assertThat(other.reason()).isEqualTo(PlacementReason.LEAST_LOADED);
    }

    @Test
    void plainRequestsFollowTheirPrefixUnlessLoadSaysOtherwise() {
        List<Engine> es = engines(4);
        PlacementFactory f = factory(rp -> rp.setMinOverload(2));
        PlacementPolicy p = f.workflowPolicy();
        String system = "You are a helpful assistant. Follow the rules carefully and answer briefly.";
        Engine first = route(p, plain("p0", system + " Q0"), es).engine();
        for (int i = 1; i < 5; i++) {
            PlacementDecision d = route(p, plain("p" + i, system + " Q" + i), es);
            assertThat(d.engine()).isSameAs(first);
            assertThat(d.reason()).isEqualTo(PlacementReason.PREFIX);
        }
        load(first, 20);
        PlacementDecision d = route(p, plain("p9", system + " Q9"), es);
        assertThat(d.engine()).isNotSameAs(first);
        // the plain prefix-aware policy shares the same index
        for (int i = 0; i < 20; i++) first.requestFinished();
        assertThat(f.policies().get("prefix-aware").place(plain("pa", system + " QA"), es).reason())
                .isEqualTo(PlacementReason.PREFIX);
    }
}
