package dev.caravan.routing;

import dev.caravan.api.GatewayException;
import java.util.Locale;

/** {@code workflow_metadata.context_sharing_strategy}: how a workflow's agents share KV cache. */
public enum ContextSharingStrategy {
    /** Home affinity, lineage, prefix and load together (the default). */
    AUTO,
    /** The workflow may spread over its k top rendezvous engines; each request goes to the best of them. */
    BROADCAST,
    /** Only agents listed in {@code metadata.share_with} share the home; others go by prefix and load. */
    SELECTIVE,
    /** No affinity at all: pure load balancing, and the cache is isolated with vLLM's {@code cache_salt}. */
    NONE;

    /** Parses the request value (case-insensitive; null or blank means auto); unknown values are a 400. */
    public static ContextSharingStrategy parse(String value) {
        if (value == null || value.isBlank()) return AUTO;
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto": return AUTO;
            case "broadcast": return BROADCAST;
            case "selective": return SELECTIVE;
            case "none": return NONE;
            default:
                throw GatewayException.badRequest("workflow_metadata.context_sharing_strategy",
                        "context_sharing_strategy must be one of auto, broadcast, selective, none");
        }
    }
}
