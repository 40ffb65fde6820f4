package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round-robin}: candidates in turn. Each engine remembers when it last had its turn and the
 * candidate whose turn is oldest goes next, so the rotation holds whatever the candidate list is.
 */
public final class RoundRobinPlacement implements PlacementPolicy {

    public static final String NAME = "round-robin";

    private final AtomicLong turns = new AtomicLong();
    /**
     * Per engine id, the turn it was last picked at. One counter indexed modulo the list size would
     * send every request of one model to the same engine when two models' requests alternate (each
     * model only ever sees every other counter value), and skew likewise when the list changes size.
     */
    private final ConcurrentHashMap<String, AtomicLong> lastTurn = new ConcurrentHashMap<>();

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        while (true) {
            Engine best = null;
            AtomicLong bestTurn = null;
            long oldest = Long.MAX_VALUE;
            for (int i = 0, n = candidates.size(); i < n; i++) {
                Engine e = candidates.get(i);
                AtomicLong t = lastTurn.get(e.id());
                if (t == null) t = lastTurn.computeIfAbsent(e.id(), k -> new AtomicLong(-1));
                long v = t.get();
                if (v < oldest) {
                    best = e;
                    bestTurn = t;
                    oldest = v;
                }
            }
            // A concurrent request that took the same engine first makes this one look again.
            if (bestTurn.compareAndSet(oldest, turns.getAndIncrement())) {
                return new PlacementDecision(best, PlacementReason.ROUND_ROBIN);
            }
        }
    }
}
