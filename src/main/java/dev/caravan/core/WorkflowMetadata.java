package dev.caravan.core;

import java.util.Map;

/**
 * The optional {@code workflow_metadata} object of a completion request (the seed plan's shape).
 *
 * @param workflowPriority       higher means more important (seed plan default 1.0)
 * @param contextSharingStrategy never null ({@link ContextSharingStrategy#AUTO} when the request names none)
 */
public record WorkflowMetadata(
        String workflowId,
        String agentId,
        String parentRequestId,
        double workflowPriority,
        ContextSharingStrategy contextSharingStrategy,
        Map<String, Object> metadata) {

    public static final double DEFAULT_PRIORITY = 1.0;

    public WorkflowMetadata {
        if (contextSharingStrategy == null) contextSharingStrategy = ContextSharingStrategy.AUTO;
    }
}
