package dev.caravan.placement.policy;

import dev.caravan.engines.Engine;
import dev.caravan.placement.cost.EngineCostModels;
import dev.caravan.placement.prefix.CharsPerToken;
import dev.caravan.placement.prefix.PrefixIndex;

/**
 * The cost of a request on a candidate, in predicted seconds, from that engine's learnt
 * {@link dev.caravan.placement.cost.EngineCostModel}: what the engine lacks of the prompt (the prefix
 * index's match) at its prefill speed, with its current load, plus what the request takes from the
 * requests already running there. Lower is better; no weight to tune.
 */
final class PredictedCost {

    private final EngineCostModels models;
    private final CharsPerToken charsPerToken;
    private final int blockChars;

    /** The predicted cost from {@code models}, or null (rank by the load score) when there are none. */
    static PredictedCost of(EngineCostModels models, PrefixIndex index) {
        return models == null ? null : new PredictedCost(models, index.charsPerToken(), index.blockChars());
    }

    private PredictedCost(EngineCostModels models, CharsPerToken charsPerToken, int blockChars) {
        this.models = models;
        this.charsPerToken = charsPerToken;
        this.blockChars = blockChars;
    }

    /** Prompt tokens {@code e} probably has to compute when it holds {@code matchedBlocks} leading blocks. */
    double uncachedTokens(Engine e, int promptChars, int matchedBlocks) {
        double chars = Math.max(0, promptChars - (double) matchedBlocks * blockChars);
        return chars / charsPerToken.of(e);
    }

    /** Predicted seconds of sending a request with {@code uncachedTokens} to compute to {@code e} now. */
    double of(Engine e, double uncachedTokens) {
        return models.of(e.id()).placementCost(uncachedTokens, e.inFlight(), e.waiting());
    }

    /**
     * How much work {@code e} gets through, on a scale that only compares engines with each other
     * (twice the value, twice as fast): lone requests per second of a thousand fresh prompt tokens and
     * the fleet's mean answer. An engine not heard from yet counts as the fleet (its model is the fleet's
     * then). Learnt, so no speed is configured and a GPU that slows down at run time counts less.
     * 0 when the model predicts no time at all (the caller then counts the engine as average).
     */
    double capacity(Engine e) {
        double seconds = models.of(e.id()).idleRequestSeconds(models.fleet().meanCompletionTokens());
        return seconds > 0 ? 1 / seconds : 0;
    }

    /** Whether the fleet's fit has seen enough answers to rank engines by it. */
    boolean warm() {
        return models.fleet().warm();
    }

    /** Seconds by which a prediction for {@code e} is typically off. */
    double error(Engine e) {
        return models.of(e.id()).predictionError();
    }
}
