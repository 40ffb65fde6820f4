package dev.caravan.placement.policy;

import static dev.caravan.fixtures.Engines.engines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With learnt costs a new workflow is homed, within the bound on homes per engine, where its first
 * request (a cold prefill of its whole context) costs least: not on a slow GPU while a fast one is free,
 * not behind a long prefill queue.
 */
class NewHomeByCostTest {

    private static final String CONTEXT = "a new workflow's context, computed cold. ".repeat(150);

    private final List<Engine> es = engines(4);

    /** A factory whose engines answered before; {@code slowdown[i]} stretches engine i's times. */
    private PlacementFactory warmed(double... slowdown) {
        RoutingProperties rp = new RoutingProperties();
        rp.getPrefix().setBlockChars(64);
        PlacementFactory factory = new PlacementFactory(rp, new WorkflowSupportProperties(), new EngineRegistry(),
                Clock.systemUTC());
        Random random = new Random(5);
        for (int k = 0; k < es.size(); k++) {
            EngineCostModel m = factory.costModels().of(es.get(k).id());
            for (int i = 0; i < 100; i++) {
                int others = random.nextInt(8);
                double tokens = random.nextInt(4000);
                double queued = random.nextInt(3000);
                double s = slowdown[k] * (1 + 0.1 * others);
                m.learn(tokens, others, 0, queued, (0.03 + 0.25e-3 * (tokens + queued)) * s, 0.012 * s * 63, 64, 0);
            }
        }
        return factory;
    }

    private static PlacementRequest first(String workflow) {
        return new PlacementRequest(workflow + "-1", "m", CONTEXT + workflow,
                new WorkflowMetadata(workflow, "planner", null, 1.0, ContextSharingStrategy.AUTO, Map.of()), null, Set.of());
    }

    @Test
    void aNewWorkflowIsHomedOnAFastEngineRatherThanASlowOne() {
        for (int w = 0; w < 20; w++) {
            PlacementFactory factory = warmed(1, 1, 2.5, 2.5);
            PlacementDecision d = factory.workflowPolicy().place(first("wf-" + w), es);
            assertThat(d.reason()).isEqualTo(PlacementReason.AFFINITY);
            assertThat(d.engine()).as("home of wf-" + w).isIn(es.get(0), es.get(1));
            assertThat(d.uncachedTokens()).as("the prompt's cold prefill, estimated").isPositive();
        }
    }

    @Test
    void aNewWorkflowIsNotHomedBehindALongPrefillQueue() {
        for (int w = 0; w < 20; w++) {
            PlacementFactory factory = warmed(1, 1, 1, 1);
            for (int k = 0; k < 3; k++) factory.costModels().of(es.get(k).id()).queuePrefill(6000);
            PlacementDecision d = factory.workflowPolicy().place(first("wf-" + w), es);
            assertThat(d.engine()).as("home of wf-" + w).isSameAs(es.get(3));
        }
    }

    @Test
    void homesAreBoundedInProportionToEachEnginesLearntSpeed() {
        // Workflows that stay live (idle between turns, as a closed loop's finished ones do until they
        // expire): an even count would home as many on the two slow GPUs as on the two fast ones.
        int[] mixed = homesOf(warmed(1, 1, 2.5, 2.5), 42);
        assertThat(mixed[0] + mixed[1]).as("homes on the fast engines of %s", Arrays.toString(mixed)).isGreaterThanOrEqualTo(28);
        assertThat(Math.min(mixed[0], mixed[1])).as("each fast engine").isGreaterThanOrEqualTo(2 * Math.max(mixed[2], mixed[3]));
        assertThat(Math.min(mixed[2], mixed[3])).as("a slow engine still homes workflows").isPositive();

        int[] same = homesOf(warmed(1, 1, 1, 1), 42);
        assertThat(Arrays.stream(same).max().getAsInt() - Arrays.stream(same).min().getAsInt())
                .as("engines of one speed stay even: %s", Arrays.toString(same)).isLessThanOrEqualTo(2);
    }

    /** Homes per engine after {@code workflows} new workflows, placed one after another on idle engines. */
    private int[] homesOf(PlacementFactory factory, int workflows) {
        int[] homes = new int[es.size()];
        for (int w = 0; w < workflows; w++) {
            homes[es.indexOf(factory.workflowPolicy().place(first("live-" + w), es).engine())]++;
        }
        return homes;
    }

    @Test
    void withoutLearntCostsTheLeastLoadedEngineIsTheHomeAsBefore() {
        RoutingProperties rp = new RoutingProperties();
        rp.getCostModel().setEnabled(false);
        PlacementFactory factory = new PlacementFactory(rp, new WorkflowSupportProperties(), new EngineRegistry(),
                Clock.systemUTC());
        for (int k = 0; k < 3; k++) for (int i = 0; i < 2; i++) es.get(k).requestStarted();
        assertThat(factory.workflowPolicy().place(first("wf"), es).engine()).isSameAs(es.get(3));
    }
}
