package dev.caravan.core;

import java.util.Set;

/**
 * What a placement policy may look at for one request.
 *
 * @param requestId     the id the gateway will return to the client (lineage key)
 * @param model         the requested model
 * @param promptText    the prompt as text (chat messages rendered in order), for prefix matching
 * @param workflow      the workflow metadata, or null for a plain request
 * @param sessionKey    the value of the session-affinity header, or null
 * @param excluded      engine ids that already failed this request (failover)
 * @param promptTokens  the prompt's token ids once a step tokenised it (precise placement), shared by
 *                      the request's failover copies
 */
public record PlacementRequest(
        String requestId,
        String model,
        String promptText,
        WorkflowMetadata workflow,
        String sessionKey,
        Set<String> excluded,
        PromptTokens promptTokens) {

    public PlacementRequest(String requestId, String model, String promptText, WorkflowMetadata workflow,
                            String sessionKey, Set<String> excluded) {
        this(requestId, model, promptText, workflow, sessionKey, excluded, new PromptTokens());
    }

    public PlacementRequest withExcluded(String engineId) {
        java.util.HashSet<String> more = new java.util.HashSet<>(excluded);
        more.add(engineId);
        return new PlacementRequest(requestId, model, promptText, workflow, sessionKey, Set.copyOf(more), promptTokens);
    }

    /** Whether the request belongs to a workflow (metadata with a workflow id). */
    public boolean inWorkflow() {
        return workflow != null && workflow.workflowId() != null;
    }

    /**
     * vLLM's {@code cache_salt} for this request: the workflow id of a workflow that shares no context
     * (strategy {@code none}), so its prefix is cached apart from every other request's; otherwise null.
     */
    public String cacheSalt() {
        return inWorkflow() && workflow.contextSharingStrategy() == ContextSharingStrategy.NONE
                ? workflow.workflowId() : null;
    }
}
