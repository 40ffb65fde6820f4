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
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A workflow's fan-out stays on the engine holding its context while that is cheaper than a cold
 * prefill, by the weighted load score (the learnt cost model off, as {@code cost-model.enabled=false}).
 */
class HomeKeepsCachedContextTest {

    private static final String CONTEXT = "shared workflow context ".repeat(40);

    private static PlacementPolicy policy() {
        RoutingProperties rp = new RoutingProperties();
        rp.getPrefix().setBlockChars(16);
        rp.getPrefix().setMaxEntries(10_000);
        rp.setMinOverload(2);
        rp.getCostModel().setEnabled(false);
        return new PlacementFactory(rp, new WorkflowSupportProperties(), new EngineRegistry(), Clock.systemUTC()).workflowPolicy();
    }

    private static PlacementRequest req(String id, String agent, String prompt) {
        return new PlacementRequest(id, "m", prompt, new WorkflowMetadata("wf", agent, null, 1.0, ContextSharingStrategy.AUTO, Map.of()),
                null, Set.of());
    }

    @Test
    void siblingsAboveTheLoadBoundStayHomeWhenTheirContextIsThere() {
        List<Engine> es = engines(8);
        PlacementPolicy p = policy();
        PlacementRequest planner = req("p", "planner", CONTEXT + "plan");
        Engine home = p.place(planner, es).engine();
        p.onRouted(planner, home);
        load(home, 6); // the fan-out so far: above (1 + 0.25) x mean and above min-overload
        PlacementDecision d = p.place(req("w6", "worker-6", CONTEXT + "worker six"), es);
        assertThat(d.engine()).isSameAs(home);
        assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
    }

    @Test
    void aRequestWithoutCachedContextStillSpills() {
        List<Engine> es = engines(8);
        PlacementPolicy p = policy();
        Engine home = p.place(req("p", "planner", "short"), es).engine();
        load(home, 6);
        PlacementDecision d = p.place(req("w", "worker", "unrelated text that the home never saw at all, long enough"), es);
        assertThat(d.engine()).isNotSameAs(home);
        assertThat(d.reason()).isEqualTo(PlacementReason.SPILL);
    }

    @Test
    void aQueueingHomeLosesToAColdEngine() {
        List<Engine> es = engines(8);
        PlacementPolicy p = policy();
        PlacementRequest planner = req("p", "planner", CONTEXT + "plan");
        Engine home = p.place(planner, es).engine();
        p.onRouted(planner, home);
        load(home, 6);
        home.reportedLoad(16, 60, 1.0); // 60 waiting: 2 x 60 / 64 + 1 > the 1.5 prefix bonus
        assertThat(p.place(req("w", "worker", CONTEXT + "worker"), es).engine()).isNotSameAs(home);
    }
}
