package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PrefixMatchSource;
import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the lowest-cost candidate, preferring engines that are neither overloaded (the bounded-load
 * rule of {@link RendezvousHome}) nor saturated; shared by the prefix-aware and workflow-aware
 * policies. The cost is each engine's learnt {@link PredictedCost} when there is one, else the
 * weighted {@link LoadScore}.
 */
final class CostPick {

    private final LoadScore score;
    private final RendezvousHome bound;
    private final PredictedCost predicted;

    /** @param predicted the engines' learnt costs, or null to rank by {@link LoadScore} */
    CostPick(LoadScore score, RendezvousHome bound, PredictedCost predicted) {
        this.score = score;
        this.bound = bound;
        this.predicted = predicted;
    }

    /**
     * Whether learnt costs rank the engines: they are on and warmed up (else {@link LoadScore} ranks,
     * the bounded-load rule keeps homes balanced and an overloaded home spills).
     */
    boolean predicts() { return predicted != null && predicted.warm(); }

    /** Cost of candidate {@code i}: predicted seconds, or the load score. */
    double cost(Engine e, int i, PrefixMatch match) {
        if (!predicts()) return score.cost(e, match.at(i), match.blocks(), false);
        if (match.precise(i)) return predicted.of(e, match.preciseUncached(i));
        return predicted.of(e, predicted.uncachedTokens(e, match.promptChars(), match.at(i)));
    }

    /** Capacity of {@code e} by its learnt speed, to compare engines (predicting only; see {@link PredictedCost#capacity}). */
    double capacity(Engine e) { return predicted.capacity(e); }

    /** Cost of {@code e} if it held {@code matchedBlocks} of the prompt (predicting only). */
    double costHolding(Engine e, int matchedBlocks, PrefixMatch match) {
        return predicted.of(e, predicted.uncachedTokens(e, match.promptChars(), matchedBlocks));
    }

    /** The decision for candidate {@code i}, with the prompt tokens it probably lacks when predicting. */
    PlacementDecision decide(List<Engine> candidates, int i, PrefixMatch match, PlacementReason reason) {
        return decide(candidates.get(i), match.at(i), match, reason);
    }

    PlacementDecision decide(Engine e, int matchedBlocks, PrefixMatch match, PlacementReason reason) {
        PrefixMatchSource source = match.source(e);
        int i = source == PrefixMatchSource.PRECISE ? match.candidates().indexOf(e) : -1;
        // What the engine reported is exact only for what it holds; a hypothetical holding stays estimated.
        boolean exact = i >= 0 && matchedBlocks == match.at(i);
        if (predicted == null) {
            return new PlacementDecision(e, reason, exact ? match.preciseUncached(i) : -1, source);
        }
        return new PlacementDecision(e, reason, exact ? match.preciseUncached(i)
                : Math.round(predicted.uncachedTokens(e, match.promptChars(), matchedBlocks)), source);
    }

    /** @return the index into {@code candidates} of the best of them all */
    int best(List<Engine> candidates, PrefixMatch match) {
        return pick(candidates, match, null, null);
    }

    /** The best candidate other than {@code skip}, unless {@code skip} is the only one. */
    int bestOtherThan(List<Engine> candidates, PrefixMatch match, Engine skip) {
        return pick(candidates, match, skip, null);
    }

    /** The best of the candidates whose indexes are in {@code among}. */
    int bestAmong(List<Engine> candidates, PrefixMatch match, int[] among) {
        return pick(candidates, match, null, among);
    }

    private int pick(List<Engine> candidates, PrefixMatch match, Engine skip, int[] among) {
        int n = candidates.size();
        long total = 0;
        for (int i = 0; i < n; i++) total += candidates.get(i).load();
        int best = -1;
        boolean bestOk = false;
        double bestCost = Double.MAX_VALUE;
        int ties = 0;
        int m = among == null ? n : among.length;
        for (int j = 0; j < m; j++) {
            int i = among == null ? j : among[j];
            Engine e = candidates.get(i);
            if (e == skip && n > 1) continue;
            boolean ok = !score.saturated(e) && !bound.overloaded(e.load(), total, n, match.share(i));
            double c = cost(e, i, match);
            // An engine within bounds always beats one beyond them; among equals, the lower cost wins.
            if (best < 0 || (ok && !bestOk) || (ok == bestOk && c < bestCost)) {
                best = i;
                bestOk = ok;
                bestCost = c;
                ties = 1;
            } else if (ok == bestOk && c == bestCost && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = i; // unbiased tie-break, as in least-loaded
            }
        }
        return best < 0 ? 0 : best;
    }

    /**
     * Whether {@code e} is not saturated and has the lowest {@link LoadScore} cost of all candidates once
     * the prefix each one probably holds is counted. The bounded-load rule keeps engines that are equal
     * for a request balanced; it must not send a request away from the engine holding its context when
     * the cold prefill elsewhere costs more than the load it avoids (a workflow's fan-out lands on its
     * home at once and would otherwise spill every sibling to an engine that has to prefill it again).
     */
    boolean cheapestWithPrefix(Engine e, List<Engine> candidates, PrefixMatch match) {
        if (score.saturated(e) || match.blocks() == 0) return false;
        int self = candidates.indexOf(e);
        if (self < 0 || match.at(self) == 0) return false;
        double own = cost(e, self, match);
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine o = candidates.get(i);
            if (o != e && cost(o, i, match) < own) return false;
        }
        return true;
    }

    /**
     * Whether {@code e} is not saturated and no candidate is cheaper by more than the prediction's
     * typical error ({@link #clearlyCheaper}), predicting only.
     */
    boolean noneClearlyCheaper(Engine e, List<Engine> candidates, PrefixMatch match) {
        if (score.saturated(e)) return false;
        int self = candidates.indexOf(e);
        double bar = leaveBelow(e, cost(e, self, match));
        for (int i = 0, n = candidates.size(); i < n; i++) {
            if (i != self && cost(candidates.get(i), i, match) < bar) return false;
        }
        return true;
    }

    /**
     * The cost another engine must come under for a request to leave {@code stay}, which costs
     * {@code own}: lower by the error of {@code stay}'s prediction, so leaving the engine that holds the
     * context pays off beyond noise.
     */
    double leaveBelow(Engine stay, double own) {
        return own - predicted.error(stay);
    }

    /** Saturated, or above the bounded-load rule's share of the candidates' load. */
    boolean overloaded(Engine e, List<Engine> candidates) {
        return score.saturated(e) || bound.overloaded(e, candidates);
    }

    boolean saturated(Engine e) { return score.saturated(e); }
}
