package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * Snapshot of one workflow for {@code GET /v1/workflows/{id}/status} (snake_case in JSON; the first
 * six fields are the seed plan's, the rest are ours).
 *
 * @param createdAt        epoch seconds of the first request
 * @param lastUpdated      epoch seconds of the latest request or outcome (TTL runs from here)
 * @param activeAgents     distinct agent ids seen
 * @param totalRequests    finished requests (outcomes reported by the forwarder)
 * @param routedRequests   requests placed (finished or not)
 * @param cacheHits        finished requests with cached_tokens > 0
 * @param assignedInstance URL of the engine the workflow is on, as the seed plan's {@code workflow_instances}
 *                         (workflow id to instance URL): its home, or, for a workflow that has none (placed by
 *                         lineage alone, strategy none, or a policy without homes), the engine its latest
 *                         request went to; null before its first request was placed. The engine's id when the
 *                         engine is no longer configured.
 * @param assignedEngine   the id of that engine (what {@code x-caravan-engine} and the metrics name)
 * @param secondaryInstances URLs of the engines a fan-out spread to because waiting on the home would cost
 *                         more than computing the workflow's context again there; later requests may use them
 * @param secondaryEngines their ids
 * @param errors           finished requests with an engine status >= 400, no answer, or a broken stream
 * @param moveCount        home changes since creation ({@code moves} keeps the latest few)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkflowStatus(
        String workflowId,
        @JsonSerialize(using = EpochSecondsSerializer.class) double createdAt,
        @JsonSerialize(using = EpochSecondsSerializer.class) double lastUpdated,
        int activeAgents,
        long totalRequests,
        long cacheHits,
        double cacheHitRate,
        String assignedInstance,
        String assignedEngine,
        List<String> secondaryInstances,
        List<String> secondaryEngines,
        long routedRequests,
        long promptTokens,
        long cachedTokens,
        long completionTokens,
        double cachedTokenRate,
        Double meanTtftMs,
        Double lastTtftMs,
        long errors,
        String contextSharingStrategy,
        double workflowPriority,
        long moveCount,
        List<WorkflowMove> moves,
        List<AgentStatus> agents) {}
