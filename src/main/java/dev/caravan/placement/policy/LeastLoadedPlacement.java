package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code least-loaded}: the candidate with the smallest {@link Engine#load()} (gateway in-flight plus
 * the engine's reported waiting queue).
 *
 * <p>Ties are broken uniformly at random (reservoir sampling over the tied engines). Picking the first
 * tied engine would send every request of an idle cluster to the same engine, which is exactly the
 * bias that makes least-loaded herd under bursts.
 */
public final class LeastLoadedPlacement implements PlacementPolicy {

    public static final String NAME = "least-loaded";

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        return new PlacementDecision(pick(candidates), PlacementReason.LEAST_LOADED);
    }

    /** The least loaded candidate, ties broken uniformly at random; allocation free. */
    static Engine pick(List<Engine> candidates) {
        Engine best = null;
        int bestLoad = Integer.MAX_VALUE;
        int ties = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine e = candidates.get(i);
            int load = e.load();
            if (load < bestLoad) {
                best = e;
                bestLoad = load;
                ties = 1;
            } else if (load == bestLoad && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = e;
            }
        }
        return best;
    }
}
