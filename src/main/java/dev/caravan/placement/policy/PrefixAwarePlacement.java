package dev.caravan.routing;

import dev.caravan.engines.Engine;
import java.util.List;

/**
 * {@code prefix-aware}: a request goes where its prompt prefix probably is ({@link PrefixIndex}),
 * unless load says otherwise ({@link LoadScore} plus the bounded-load rule of {@link RendezvousHome}).
 * This is how a system prompt shared across workflows is reused without becoming a hot spot: the
 * prefix bonus is bounded, and an engine above {@code (1 + epsilon) x} mean load is passed over.
 */
public final class PrefixAwarePlacement implements PlacementPolicy {

    public static final String NAME = "prefix-aware";

    private final PrefixIndex index;
    private final LoadScore score;
    private final RendezvousHome bound;

    public PrefixAwarePlacement(PrefixIndex index, LoadScore score, RendezvousHome bound) {
        this.index = index;
        this.score = score;
        this.bound = bound;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        return place(request, candidates, index, score, bound);
    }

    static PlacementDecision place(PlacementRequest request, List<Engine> candidates, PrefixIndex index,
                                   LoadScore score, RendezvousHome bound) {
        int[] matched = new int[candidates.size()];
        int blocks = index.match(request.promptText(), candidates, matched);
        int i = CostPick.best(candidates, matched, blocks, null, null, null, score, bound);
        return new PlacementDecision(candidates.get(i),
                matched[i] > 0 ? PlacementReason.PREFIX : PlacementReason.LEAST_LOADED);
    }

    @Override
    public void onRouted(PlacementRequest request, Engine engine) {
        index.record(request.promptText(), engine);
    }
}
