package dev.caravan.routing;

import dev.caravan.workflows.WorkflowMetadata;
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
 */
public record PlacementRequest(
        String requestId,
        String model,
        String promptText,
        WorkflowMetadata workflow,
        String sessionKey,
        Set<String> excluded) {

    public PlacementRequest withExcluded(String engineId) {
        java.util.HashSet<String> more = new java.util.HashSet<>(excluded);
        more.add(engineId);
        return new PlacementRequest(requestId, model, promptText, workflow, sessionKey, Set.copyOf(more));
    }
}
