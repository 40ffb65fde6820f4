package dev.caravan.routing;

import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the lowest-cost candidate by {@link LoadScore}, preferring engines that are neither
 * overloaded (bounded load) nor saturated; shared by the prefix-aware and workflow-aware policies.
 */
final class CostPick {

    private CostPick() {}

    /**
     * @param matched   leading prefix blocks per candidate (same order), or null for none
     * @param blocks    blocks in the prompt
     * @param preferred engine that gets the affinity bonus, or null
     * @param skip      engine never chosen unless it is the only candidate, or null
     * @param from      consider only candidates whose index is in this array (null = all)
     * @return index into {@code candidates}
     */
    static int best(List<Engine> candidates, int[] matched, int blocks, Engine preferred, Engine skip,
                    int[] from, LoadScore score, RendezvousHome bound) {
        int n = candidates.size();
        long total = 0;
        for (int i = 0; i < n; i++) total += candidates.get(i).load();
        int best = -1;
        boolean bestOk = false;
        double bestCost = Double.MAX_VALUE;
        int ties = 0;
        int m = from == null ? n : from.length;
        for (int j = 0; j < m; j++) {
            int i = from == null ? j : from[j];
            Engine e = candidates.get(i);
            if (e == skip && n > 1) continue;
            int got = matched == null ? 0 : matched[i];
            boolean ok = !score.saturated(e) && !bound.overloaded(e.load(), total, n, blocks == 0 ? 0 : (double) got / blocks);
            double c = score.cost(e, got, blocks, e == preferred);
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
    static boolean cheapestWithPrefix(Engine e, List<Engine> candidates, int[] matched, int blocks, LoadScore score) {
        if (score.saturated(e) || blocks == 0) return false;
        int self = candidates.indexOf(e);
        if (self < 0 || matched[self] == 0) return false;
        double own = score.cost(e, matched[self], blocks, false);
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine o = candidates.get(i);
            if (o != e && score.cost(o, matched[i], blocks, false) < own) return false;
        }
        return true;
    }

    static boolean overloaded(Engine e, List<Engine> candidates, LoadScore score, RendezvousHome bound) {
        return score.saturated(e) || bound.overloaded(e, candidates);
    }
}
