package dev.caravan.workflows;

import java.util.Map;

/**
 * The optional {@code workflow_metadata} object of a completion request (the seed plan's shape).
 *
 * @param workflowPriority higher means more important (seed plan default 1.0)
 * @param contextSharingStrategy one of auto, broadcast, selective, none
 */
public record WorkflowMetadata(
        String workflowId,
        String agentId,
        String parentRequestId,
        double workflowPriority,
        String contextSharingStrategy,
        Map<String, Object> metadata) {

    public static final double DEFAULT_PRIORITY = 1.0;
    public static final String DEFAULT_STRATEGY = "auto";
}
