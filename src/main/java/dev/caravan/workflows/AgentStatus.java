package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * Per-agent figures of a workflow, from what the engines reported.
 *
 * @param cacheHits       requests whose usage reported cached_tokens > 0
 * @param cachedTokenRate cached tokens / prompt tokens (0 when no prompt tokens were reported)
 * @param meanTtftMs      mean time to first token over requests that reported it, or null
 * @param lastTtftMs      time to first token of the latest request that reported it, or null
 * @param lastInstance    URL of the engine that served the agent's latest routed request
 * @param lastEngine      that engine's id
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AgentStatus(
        String agentId,
        long totalRequests,
        long cacheHits,
        double cacheHitRate,
        long promptTokens,
        long cachedTokens,
        double cachedTokenRate,
        Double meanTtftMs,
        Double lastTtftMs,
        String lastInstance,
        String lastEngine,
        @JsonSerialize(using = EpochSecondsSerializer.class) double lastUpdated) {}
