package dev.caravan.placement.policy;

import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the lowest-cost candidate by {@link LoadScore}, preferring engines that are neither
 * overloaded (the bounded-load rule of {@link RendezvousHome}) nor saturated; shared by the
 * prefix-aware and workflow-aware policies.
 */
final class CostPick {

    private final LoadScore score;
    private final RendezvousHome bound;

    CostPick(LoadScore score, RendezvousHome bound) {
        this.score = score;
        this.bound = bound;
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
            double c = score.cost(e, match.at(i), match.blocks(), false);
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
        double own = score.cost(e, match.at(self), match.blocks(), false);
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine o = candidates.get(i);
            if (o != e && score.cost(o, match.at(i), match.blocks(), false) < own) return false;
        }
        return true;
    }

    /** Saturated, or above the bounded-load rule's share of the candidates' load. */
    boolean overloaded(Engine e, List<Engine> candidates) {
        return score.saturated(e) || bound.overloaded(e, candidates);
    }

    boolean saturated(Engine e) { return score.saturated(e); }
}
