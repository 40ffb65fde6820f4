package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import dev.caravan.placement.cost.EngineCostModels;
import dev.caravan.placement.prefix.PrefixIndex;
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
    private final CostPick pick;

    /** @param costs the engines' learnt costs, or null to rank by {@link LoadScore} */
    public PrefixAwarePlacement(PrefixIndex index, LoadScore score, RendezvousHome bound, EngineCostModels costs) {
        this.index = index;
        this.pick = new CostPick(score, bound, PredictedCost.of(costs, index));
    }

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        return place(request, candidates, index, pick);
    }

    /** Where the prefix is unless load says otherwise: also how workflow-aware places plain requests. */
    static PlacementDecision place(PlacementRequest request, List<Engine> candidates, PrefixIndex index,
                                   CostPick pick) {
        PrefixMatch match = PrefixMatch.of(index, request, candidates);
        int i = pick.best(candidates, match);
        return pick.decide(candidates, i, match, match.at(i) > 0 ? PlacementReason.PREFIX : PlacementReason.LEAST_LOADED);
    }

    @Override
    public void onRouted(PlacementRequest request, Engine engine) {
        index.record(request.promptText(), engine);
    }
}
