package dev.caravan.core;

import java.util.Locale;

/**
 * {@code workflow_metadata.context_sharing_strategy}: how a workflow's agents share KV cache. Parsed
 * once, by the request parser; everything after it reads this enum.
 */
public enum ContextSharingStrategy {
    /** Home affinity, lineage, prefix and load together (the default). */
    AUTO,
    /** The workflow may spread over its k top rendezvous engines; each request goes to the best of them. */
    BROADCAST,
    /** Only agents listed in {@code metadata.share_with} share the home; others go by prefix and load. */
    SELECTIVE,
    /** No affinity at all: pure load balancing, and the cache is isolated with vLLM's {@code cache_salt}. */
    NONE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The value as the API spells it: auto, broadcast, selective, none. */
    public String label() { return label; }

    /** The strategy a request names exactly as the API spells it, or null for any other value. */
    public static ContextSharingStrategy fromLabel(String value) {
        for (ContextSharingStrategy s : values()) {
            if (s.label.equals(value)) return s;
        }
        return null;
    }
}
