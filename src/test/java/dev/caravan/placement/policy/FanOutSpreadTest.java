package dev.caravan.placement.policy;

import static dev.caravan.fixtures.Engines.engines;
import static dev.caravan.fixtures.Engines.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.RoutingProperties;
import dev.caravan.placement.cost.EngineCostModel;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With learnt costs, a workflow's fan-out stays on its home while the home is idle enough and spreads
 * to a second engine, which becomes a secondary home, once waiting there costs more than computing the
 * shared context elsewhere.
 */
class FanOutSpreadTest {

    /** About 1,500 tokens of shared context at 4 characters per token. */
    private static final String CONTEXT = "the shared context of this workflow. ".repeat(160);

    private final List<Engine> es = engines(4);
    private final PlacementFactory factory;
    private final PlacementPolicy policy;

    FanOutSpreadTest() {
        RoutingProperties rp = new RoutingProperties();
        rp.getPrefix().setBlockChars(64);
        factory = new PlacementFactory(rp, new WorkflowSupportProperties(), new EngineRegistry(), Clock.systemUTC());
        policy = factory.workflowPolicy();
        // Every engine answered before like a vLLM whose batch of 16 slows each request up to 3x:
        // 30 ms + 0.25 ms per uncached token, ITL 12 ms, stretched by the others running.
        Random random = new Random(11);
        for (Engine e : es) {
            EngineCostModel m = factory.costModels().of(e.id());
            for (int i = 0; i < 100; i++) {
                int others = random.nextInt(16);
                double tokens = random.nextInt(4000);
                double stretch = 1 + 2.0 * others / 15;
                int completion = 64;
                m.learn(tokens, others, 0, 0, (0.03 + 0.25e-3 * tokens) * stretch, 0.012 * stretch * (completion - 1),
                        completion, 0);
            }
        }
    }

    private static PlacementRequest req(String id, String agent, String prompt) {
        return new PlacementRequest(id, "m", prompt,
                new WorkflowMetadata("wf", agent, null, 1.0, ContextSharingStrategy.AUTO, Map.of()), null, Set.of());
    }

    private PlacementDecision route(PlacementRequest r) {
        PlacementDecision d = policy.place(r, es);
        policy.onRouted(r, d.engine());
        d.engine().requestStarted(); // in flight until the test ends: the siblings run at the same time
        return d;
    }

    @Test
    void onAnIdleHomeTheFanOutStaysHome() {
        Engine home = route(req("p", "planner", CONTEXT + "plan")).engine();
        for (int i = 0; i < 4; i++) {
            PlacementDecision d = route(req("w" + i, "worker", CONTEXT + "part " + i));
            assertThat(d.engine()).as("worker " + i).isSameAs(home);
            assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
        }
        assertThat(factory.registry().get("wf").secondaryHomes()).isEmpty();
    }

    @Test
    void onABusyHomeTheFanOutSpreadsToASecondaryHomeAndSiblingsFindItThere() {
        Engine home = route(req("p", "planner", CONTEXT + "plan")).engine();
        load(home, 14); // other workflows' requests fill the home's batch
        PlacementDecision first = route(req("w0", "worker", CONTEXT + "part 0"));
        assertThat(first.reason()).isEqualTo(PlacementReason.SPREAD);
        Engine second = first.engine();
        assertThat(second).isNotSameAs(home);
        assertThat(factory.registry().get("wf").secondaryHomes()).containsExactly(second.id());
        assertThat(factory.registry().get("wf").home()).isEqualTo(home.id());
        // the next sibling finds the context on the secondary home rather than computing it a third time
        PlacementDecision next = route(req("w1", "worker", CONTEXT + "part 1"));
        assertThat(next.engine()).isSameAs(second);
    }
}
