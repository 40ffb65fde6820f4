package dev.caravan.placement.policy;

import dev.caravan.engines.Engine;
import dev.caravan.placement.prefix.Hashing;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Highest-random-weight (rendezvous) hashing of a key over engines, optionally with bounded load.
 *
 * <p>Why rendezvous: every gateway replica that sees the same engine list ranks the engines for a key
 * identically, with no shared state; removing an engine only moves the keys that lived on it, and the
 * "next choice" for failover is simply the second-ranked engine.
 *
 * <p>Bounded load (Mirrokni et al., "Consistent hashing with bounded loads"): an engine is skipped
 * when taking one more request would put it above {@code (1 + epsilon) x} the mean load of the
 * candidates. Below {@code minLoad} an engine is never considered overloaded: a vLLM engine batches
 * dozens of sequences, so a handful of in-flight requests is no reason to give up cache affinity.
 */
public final class RendezvousHome {

    private final double epsilon;
    private final int minLoad;
    /** Engine id hashes; engine ids are few (the configured fleet), so this map stays tiny. */
    private final ConcurrentHashMap<String, Long> engineHashes = new ConcurrentHashMap<>();

    /**
     * @param epsilon allowed excess over the mean load, e.g. 0.25
     * @param minLoad load at or below which an engine is never overloaded (0 for the pure bound)
     */
    public RendezvousHome(double epsilon, int minLoad) {
        if (epsilon < 0) throw new IllegalArgumentException("epsilon must be >= 0");
        this.epsilon = epsilon;
        this.minLoad = Math.max(0, minLoad);
    }

    public double epsilon() { return epsilon; }

    /** Hash of a routing key (workflow id, session key). */
    public static long keyHash(String key) { return Hashing.hash(key); }

    long engineHash(Engine e) {
        Long h = engineHashes.get(e.id());
        if (h == null) {
            h = Hashing.hash(e.id());
            engineHashes.putIfAbsent(e.id(), h);
        }
        return h;
    }

    /** Whether {@code e} with weight {@code w} ranks above {@code best}: higher weight, then lower id. */
    private static boolean ranksAbove(Engine e, long w, Engine best, long bestW) {
        return Long.compareUnsigned(w, bestW) > 0 || (w == bestW && e.id().compareTo(best.id()) < 0);
    }

    /** Rendezvous weight of {@code engine} for {@code keyHash}; higher ranks first. */
    public long weight(long keyHash, Engine engine) {
        return Hashing.weight(keyHash, engineHash(engine));
    }

    /** The top-ranked candidate for the key, ignoring load. */
    public Engine top(long keyHash, List<Engine> candidates) {
        Engine best = null;
        long bestW = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine e = candidates.get(i);
            long w = weight(keyHash, e);
            if (best == null || ranksAbove(e, w, best, bestW)) {
                best = e;
                bestW = w;
            }
        }
        return best;
    }

    /**
     * The highest-ranked candidate that is not overloaded; if every candidate is overloaded, the least
     * loaded one (never null for a non-empty list).
     */
    public Engine choose(long keyHash, List<Engine> candidates) {
        return choose(keyHash, candidates, null);
    }

    /**
     * Like {@link #choose(long, List)} but never {@code skip} (the overloaded home when a workflow
     * moves), unless it is the only candidate.
     */
    public Engine choose(long keyHash, List<Engine> candidates, Engine skip) {
        int n = candidates.size();
        long total = 0;
        for (int i = 0; i < n; i++) total += candidates.get(i).load();
        Engine best = null;
        long bestW = 0;
        for (int i = 0; i < n; i++) {
            Engine e = candidates.get(i);
            if (e == skip || overloaded(e.load(), total, n)) continue;
            long w = weight(keyHash, e);
            if (best == null || ranksAbove(e, w, best, bestW)) {
                best = e;
                bestW = w;
            }
        }
        if (best != null) return best;
        Engine least = null;
        for (int i = 0; i < n; i++) {
            Engine e = candidates.get(i);
            if (e != skip && (least == null || e.load() < least.load())) least = e;
        }
        return least != null ? least : candidates.get(0);
    }

    /**
     * A new home for a workflow. Eligible are the candidates home to at most
     * {@code ceil((1 + homeEpsilon) x (homes + 1) / n) - 1} live workflows, where
     * {@code homed} counts each candidate's homed workflows (bounded loads as in Mirrokni et al. 2018,
     * with workflows as the balls: at {@code homeEpsilon} 0 the home counts of any two engines differ by
     * at most one). Of those, one within the load bound is preferred and the least loaded wins, because
     * a new workflow's first request prefills its whole context cold and should start where it waits
     * least (or, with {@code cost}, where its predicted cost is least); the rendezvous rank breaks ties,
     * so idle replicas that saw the same workflows agree. The
     * home bound is kept even when every eligible engine is above the load bound: the home serves the
     * workflow for its whole life, a burst passes (and a saturated home's first request spills).
     * Falls back to {@link #choose(long, List, Engine)} when no candidate is eligible.
     */
    public Engine chooseHome(long keyHash, List<Engine> candidates, Engine skip, ToIntFunction<Engine> homed,
                             double homeEpsilon) {
        return chooseHome(keyHash, candidates, skip, homed, homeEpsilon, null, null);
    }

    /**
     * {@link #chooseHome(long, List, Engine, ToIntFunction, double)} ranking the eligible engines by
     * {@code cost} (of candidate index; lower is better) instead of their load, or by load when null;
     * and with each candidate's bounds (homes and load) in proportion to its {@code capacity} (of
     * candidate index, any positive scale, one not positive counted as the mean of the others; null: all
     * equal). On engines of one kind the bounds are those above; where one GPU is 2.5x another, the even
     * count would home as many long-lived workflows on the slow one as on the fast one, and every one of
     * them would prefill and decode there at its speed.
     */
    public Engine chooseHome(long keyHash, List<Engine> candidates, Engine skip, ToIntFunction<Engine> homed,
                             double homeEpsilon, IntToDoubleFunction cost, IntToDoubleFunction capacity) {
        int n = candidates.size();
        long total = 0;
        long homes = 0;
        // Each candidate's capacity, read once (a learnt model's prediction, not a field); only when given.
        double[] capacities = capacity == null ? null : new double[n];
        double capacitySum = 0;
        for (int i = 0; i < n; i++) {
            Engine e = candidates.get(i);
            total += e.load();
            homes += homed.applyAsInt(e);
            if (capacities != null) {
                double c = capacity.applyAsDouble(i);
                capacities[i] = c > 0 && Double.isFinite(c) ? c : 0;
                capacitySum += capacities[i];
            }
        }
        if (capacities != null) capacitySum = averageUnknown(capacities, capacitySum);
        Engine best = null;
        long bestW = 0;
        double bestCost = 0;
        boolean bestOver = false;
        for (int i = 0; i < n; i++) {
            Engine e = candidates.get(i);
            // This engine's share of the fleet, n x its fraction of the capacity: 1 when all are equal.
            double share = capacities == null ? 1 : n * capacities[i] / capacitySum;
            // (less a hair, so that float rounding of an even share does not lift the cap by one)
            double cap = Math.ceil((1.0 + homeEpsilon) * (homes + 1) * share / n - 1e-9);
            if (e == skip || homed.applyAsInt(e) + 1 > cap) continue;
            int load = e.load();
            double c = cost == null ? load : cost.applyAsDouble(i);
            boolean over = beyondBound(load, total, n, share);
            long w = weight(keyHash, e);
            // Within the home bound, an engine within the load bound beats one beyond it; then the least
            // loaded (or cheapest) wins; then the rendezvous rank.
            if (best == null || (!over && bestOver) || (over == bestOver && (c < bestCost
                    || (c == bestCost && ranksAbove(e, w, best, bestW))))) {
                best = e;
                bestW = w;
                bestCost = c;
                bestOver = over;
            }
        }
        return best != null ? best : choose(keyHash, candidates, skip);
    }

    /**
     * Counts each candidate without a capacity (0) as the mean of those with one (all equal when none
     * has one); returns the new sum.
     */
    private static double averageUnknown(double[] capacities, double sum) {
        int known = 0;
        for (double c : capacities) if (c > 0) known++;
        if (known == capacities.length) return sum;
        double mean = known == 0 ? 1 : sum / known;
        for (int i = 0; i < capacities.length; i++) if (capacities[i] == 0) capacities[i] = mean;
        return sum + mean * (capacities.length - known);
    }

    /**
     * Whether an engine with {@code load} may not take one more request when the candidates together
     * carry {@code totalLoad} over {@code n} engines: {@code load + 1 > (1 + eps) (total + 1) / n}.
     * Counting the new request on both sides keeps the final maximum within {@code (1 + eps) x} mean.
     */
    public boolean overloaded(int load, long totalLoad, int n) {
        return overloaded(load, totalLoad, n, 0);
    }

    /**
     * {@link #overloaded(int, long, int)} for an engine that probably holds {@code prefixShare} (0..1)
     * of the request's prompt: its bound grows to {@code (1 + eps)(1 + prefixShare) x} mean, so an
     * engine holding the whole prompt may carry up to twice the usual excess before the request goes
     * to a cold engine. The prefill a hit saves grows with the share while the queueing the bound
     * avoids does not, so a hard bound that ignores the cache sends long, mostly cached prompts away to
     * prefill again; it still caps how hot one engine can get.
     */
    public boolean overloaded(int load, long totalLoad, int n, double prefixShare) {
        return beyondBound(load, totalLoad, n, 1.0 + Math.max(0, Math.min(1, prefixShare)));
    }

    /**
     * The bounded-load rule with the engine's bound {@code weight} times the usual one: {@code load + 1 >
     * (1 + eps) x weight x (total + 1) / n}, never below {@code minLoad}. A cached prefix raises the weight
     * ({@link #overloaded(int, long, int, double)}), so does a share of capacity above the mean.
     */
    private boolean beyondBound(int load, long totalLoad, int n, double weight) {
        return load > minLoad && (load + 1) > (1.0 + epsilon) * weight * (totalLoad + 1) / n;
    }

    /** {@link #overloaded(int, long, int)} for one engine among candidates. */
    public boolean overloaded(Engine engine, List<Engine> candidates) {
        long total = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) total += candidates.get(i).load();
        return overloaded(engine.load(), total, candidates.size());
    }
}
