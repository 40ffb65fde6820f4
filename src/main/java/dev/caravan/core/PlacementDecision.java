package dev.caravan.core;

import dev.caravan.engines.Engine;

/**
 * The engine chosen for a request and the reason it was chosen.
 *
 * @param uncachedTokens the prompt tokens placement expects the engine to compute (what its cache
 *                       probably lacks), or -1 when the policy does not estimate it
 */
public record PlacementDecision(Engine engine, PlacementReason reason, long uncachedTokens) {

    public PlacementDecision(Engine engine, PlacementReason reason) {
        this(engine, reason, -1);
    }

    /** The same engine and estimate, reported with another reason (queued, failed over). */
    public PlacementDecision withReason(PlacementReason other) {
        return new PlacementDecision(engine, other, uncachedTokens);
    }
}
