package dev.caravan.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import dev.caravan.fixtures.Engines;
import dev.caravan.fixtures.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WorkflowRegistryTest {

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<String> endedIds = new CopyOnWriteArrayList<>();

    private WorkflowRegistry registry(Duration ttl, int max) {
        WorkflowRegistry r = new WorkflowRegistry(ttl, max, clock);
        r.addEndListener(endedIds::add);
        return r;
    }

    private static WorkflowMetadata md(String id, String agent) {
        return new WorkflowMetadata(id, agent, null, 1.0, ContextSharingStrategy.AUTO, Map.of());
    }

    private static RequestOutcome outcome(String wf, String agent, long prompt, long cached, long ttftMs, Engine e) {
        PlacementRequest req = new PlacementRequest("r", "m", "p", md(wf, agent), null, Set.of());
        return new RequestOutcome(req, new PlacementDecision(e, PlacementReason.AFFINITY), e, 200, null, prompt, cached, 5,
                ttftMs * 1_000_000, ttftMs * 2_000_000, false, null);
    }

    @Test
    void expiresAfterTtlOfInactivity() {
        WorkflowRegistry r = registry(Duration.ofSeconds(10), 100);
        r.touch(md("w1", "a"));
        r.touch(md("w2", "a"));
        clock.advance(Duration.ofSeconds(6));
        r.touch(md("w2", "a")); // w2 active again
        clock.advance(Duration.ofSeconds(5));
        assertThat(r.get("w1")).isNull();
        assertThat(r.get("w2")).isNotNull();
        assertThat(r.sweep()).isEqualTo(1);
        assertThat(endedIds).containsExactly("w1");
        assertThat(r.expirations()).isEqualTo(1);
        assertThat(r.size()).isEqualTo(1);
        // an outcome does not resurrect it; a new request registers it afresh
        r.onOutcome(outcome("w1", "a", 10, 5, 20, Engines.engine("e0")));
        assertThat(r.get("w1")).isNull();
        WorkflowState fresh = r.touch(md("w1", "a"));
        assertThat(fresh.snapshot().totalRequests()).isZero();
    }

    @Test
    void expiryHappensOnRegistrationWithoutSweep() {
        WorkflowRegistry r = registry(Duration.ofSeconds(10), 100);
        r.touch(md("old", "a"));
        clock.advance(Duration.ofSeconds(11));
        r.touch(md("new", "a"));
        assertThat(endedIds).containsExactly("old");
        assertThat(r.size()).isEqualTo(1);
    }

    @Test
    void evictsLeastRecentlyActiveBeyondMax() {
        WorkflowRegistry r = registry(Duration.ofHours(1), 3);
        r.touch(md("a", "x"));
        clock.advance(Duration.ofSeconds(1));
        r.touch(md("b", "x"));
        clock.advance(Duration.ofSeconds(1));
        r.touch(md("c", "x"));
        clock.advance(Duration.ofSeconds(1));
        r.onOutcome(outcome("a", "x", 1, 0, 1, Engines.engine("e0"))); // an outcome is activity too
        r.touch(md("d", "x"));
        assertThat(endedIds).containsExactly("b");
        assertThat(r.evictions()).isEqualTo(1);
        assertThat(r.get("a")).isNotNull();
        assertThat(r.size()).isEqualTo(3);
        assertThat(r.list(0, 10).workflows()).extracting(WorkflowStatus::workflowId).containsExactly("d", "a", "c");
        assertThat(r.list(1, 1).workflows()).extracting(WorkflowStatus::workflowId).containsExactly("a");
        assertThat(r.list(1, 1).total()).isEqualTo(3);
    }

    @Test
    void statisticsPerWorkflowAndAgent() {
        WorkflowRegistry r = registry(Duration.ofHours(1), 10);
        Engine e = Engines.engine("e3");
        WorkflowState st = r.touch(md("w", "planner"));
        st.assignHomeIfAbsent("e3");
        r.touch(md("w", "coder"));
        r.onOutcome(outcome("w", "planner", 1000, 0, 100, e));
        r.onOutcome(outcome("w", "coder", 1000, 800, 20, e));
        r.onOutcome(outcome("w", "coder", 2000, 1600, 30, e));
        st.moveHome("e1", "failover", clock.millis());
        WorkflowStatus s = r.status("w");
        assertThat(s.workflowId()).isEqualTo("w");
        assertThat(s.activeAgents()).isEqualTo(2);
        assertThat(s.totalRequests()).isEqualTo(3);
        assertThat(s.cacheHits()).isEqualTo(2);
        assertThat(s.cacheHitRate()).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.promptTokens()).isEqualTo(4000);
        assertThat(s.cachedTokens()).isEqualTo(2400);
        assertThat(s.cachedTokenRate()).isEqualTo(0.6);
        assertThat(s.meanTtftMs()).isEqualTo(50.0);
        assertThat(s.lastTtftMs()).isEqualTo(30.0);
        assertThat(s.assignedEngine()).isEqualTo("e1");
        assertThat(s.moveCount()).isEqualTo(1);
        assertThat(s.createdAt()).isEqualTo(1_700_000_000.0);
        assertThat(s.agents()).extracting(AgentStatus::agentId).containsExactly("coder", "planner");
        AgentStatus coder = s.agents().get(0);
        assertThat(coder.totalRequests()).isEqualTo(2);
        assertThat(coder.cacheHitRate()).isEqualTo(1.0);
        assertThat(coder.meanTtftMs()).isEqualTo(25.0);
        WorkflowTotals t = r.stats();
        assertThat(t.liveWorkflows()).isEqualTo(1);
        assertThat(t.totalRequests()).isEqualTo(3);
        assertThat(t.cacheHits()).isEqualTo(2);
        assertThat(t.moves()).isEqualTo(1);
    }

    @Test
    void endFreesStateAndTellsListeners() {
        WorkflowRegistry r = registry(Duration.ofHours(1), 10);
        r.touch(md("w", "a")).assignHomeIfAbsent("e0");
        assertThat(r.end("w")).isTrue();
        assertThat(r.end("w")).isFalse();
        assertThat(r.get("w")).isNull();
        assertThat(endedIds).containsExactly("w");
        assertThat(r.touch(md("w", "a")).home()).isNull();
        assertThat(r.stats().ended()).isEqualTo(1);
    }

    @Test
    void snapshotSerialisesInSnakeCase() throws Exception {
        WorkflowRegistry r = registry(Duration.ofHours(1), 10);
        r.touch(md("w", "a"));
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r.status("w"));
        assertThat(json).contains("\"workflow_id\":\"w\"", "\"cache_hit_rate\"", "\"assigned_instance\"",
                "\"active_agents\":1", "\"last_updated\"", "\"created_at\"");
        // epoch seconds as plain decimals, as the seed plan's Python API prints them
        assertThat(json).contains("\"created_at\":1700000000.000").doesNotContain("E9");
    }
}
