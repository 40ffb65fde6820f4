package dev.caravan.routing;

import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round-robin}: candidates in turn. The counter is shared across models and candidate lists,
 * so with changing candidate sets the rotation is approximate, which is all round robin promises.
 */
public final class RoundRobinPlacement implements PlacementPolicy {

    public static final String NAME = "round-robin";

    private final AtomicLong next = new AtomicLong();

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        int i = (int) Math.floorMod(next.getAndIncrement(), (long) candidates.size());
        return new PlacementDecision(candidates.get(i), PlacementReason.ROUND_ROBIN);
    }
}
