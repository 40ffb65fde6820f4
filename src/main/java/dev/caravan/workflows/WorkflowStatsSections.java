package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * The sections production-stack's workflow PR (#625) answers on {@code GET /v1/workflows/stats}, with
 * its keys and meanings, which Caravan serves beside its own flat totals ({@link WorkflowTotals}) so
 * clients of either find what they read.
 */
public final class WorkflowStatsSections {

    private WorkflowStatsSections() { }

    /**
     * {@code workflow_routing}.
     *
     * @param totalRequests    finished workflow requests (Caravan's {@code total_requests})
     * @param cacheHits        of them, those the engine reported cached tokens for (the PR guessed from the
     *                         prompt; Caravan counts what the engine says)
     * @param routingDecisions workflow requests placed, finished or not
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Routing(long totalRequests, long cacheHits, double cacheHitRate, long routingDecisions) {}

    /**
     * {@code workflow_manager}.
     *
     * @param totalWorkflowsExpired workflows forgotten after their TTL (evictions by the size bound are
     *                              Caravan's {@code evicted})
     * @param activeWorkflows       live workflows
     * @param totalAgents           distinct agents over the live workflows
     * @param avgCacheHitRate       mean of the live workflows' {@code cache_hit_rate}
     * @param instanceDistribution  live workflows per engine URL (the engine each status names in
     *                              {@code assigned_instance})
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Manager(long totalWorkflowsCreated, long totalWorkflowsExpired, long activeWorkflows,
                          long totalAgents, double avgCacheHitRate, Map<String, Long> instanceDistribution) {}
}
