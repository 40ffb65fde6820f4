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
 * @param assignedInstance current home engine id (null with strategy none or before the first request)
 * @param secondaryInstances engines a fan-out spread to because waiting on the home would cost more
 *                         than computing the workflow's context again there; later requests may use them
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
        List<String> secondaryInstances,
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
