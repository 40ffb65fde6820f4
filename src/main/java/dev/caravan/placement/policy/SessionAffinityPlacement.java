package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.List;

/**
 * {@code session}: requests with the same {@link PlacementRequest#sessionKey()} go to the same
 * engine, by rendezvous hashing of the key over the candidates (so an engine leaving only moves its
 * own sessions, and replicas agree). Without a key: least loaded.
 *
 * <p>No load bound here on purpose: this is the plain sticky policy users ask for when their client
 * relies on stickiness; the workflow-aware policy is the one that trades affinity against load.
 */
public final class SessionAffinityPlacement implements PlacementPolicy {

    public static final String NAME = "session";

    private final RendezvousHome rendezvous = new RendezvousHome(0.0, 0);

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        String key = request.sessionKey();
        if (key == null || key.isBlank()) {
            return new PlacementDecision(LeastLoadedPlacement.pick(candidates), PlacementReason.LEAST_LOADED);
        }
        return new PlacementDecision(rendezvous.top(RendezvousHome.keyHash(key), candidates), PlacementReason.SESSION);
    }
}
