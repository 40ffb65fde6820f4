package dev.caravan.core;

import dev.caravan.engines.Engine;

/**
 * The engine chosen for a request and the reason it was chosen.
 *
 * @param uncachedTokens the prompt tokens placement expects the engine to compute (what its cache
 *                       probably lacks), or -1 when the policy does not estimate it
 * @param prefixMatch    whether what the engine holds came from its KV events or the approximate index
 */
public record PlacementDecision(Engine engine, PlacementReason reason, long uncachedTokens, PrefixMatchSource prefixMatch) {

    public PlacementDecision(Engine engine, PlacementReason reason) {
        this(engine, reason, -1, PrefixMatchSource.NONE);
    }

    public PlacementDecision(Engine engine, PlacementReason reason, long uncachedTokens) {
        this(engine, reason, uncachedTokens, PrefixMatchSource.NONE);
    }

    /** The same engine and estimate, reported with another reason (queued, failed over). */
    public PlacementDecision withReason(PlacementReason other) {
        return new PlacementDecision(engine, other, uncachedTokens, prefixMatch);
    }
}
