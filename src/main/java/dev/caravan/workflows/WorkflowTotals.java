package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Registry-wide figures ({@code GET /v1/workflows/stats}). Request and token counts cover every
 * workflow since start, including ended ones; {@code liveWorkflows} is the current count.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkflowTotals(
        long liveWorkflows,
        long maxWorkflows,
        long registered,
        long ended,
        long expired,
        long evicted,
        long totalRequests,
        long cacheHits,
        double cacheHitRate,
        long promptTokens,
        long cachedTokens,
        double cachedTokenRate,
        long moves) {}
