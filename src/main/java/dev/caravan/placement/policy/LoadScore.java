package dev.caravan.placement.policy;

import dev.caravan.engines.Engine;

/**
 * The one cost function that trades cache reuse against load; lower is better.
 *
 * <pre>
 * cost = inFlightWeight * inFlight / saturation
 *      + waitingWeight  * waiting  / saturation
 *      + kvCacheWeight  * kvCacheUsage            (0..1 as vLLM reports it)
 *      - prefixWeight   * matchedBlocks / promptBlocks
 *      - affinityWeight * (1 if the engine is the workflow's home or one of its broadcast engines)
 * </pre>
 *
 * <p>Load terms are normalised by the per-engine saturation so the weights are comparable with the
 * 0..1 prefix and KV terms: with the defaults (1, 2, 1, 1.5, 0.5) a full prefix hit is worth three
 * quarters of a saturated engine's waiting queue, so a shared system prompt attracts traffic only
 * until the engine holding it is visibly busier than the others (no hot spot), while an idle cluster
 * always follows the prefix. The engine's own waiting queue weighs double because those requests
 * are already stalled there (as llm-d's queue scorer weighs it).
 */
public final class LoadScore {

    private final double inFlightWeight;
    private final double waitingWeight;
    private final double kvCacheWeight;
    private final double prefixWeight;
    private final double affinityWeight;
    private final double saturation;

    public LoadScore(double inFlightWeight, double waitingWeight, double kvCacheWeight,
                     double prefixWeight, double affinityWeight, int saturation) {
        if (saturation < 1) throw new IllegalArgumentException("saturation must be >= 1");
        this.inFlightWeight = inFlightWeight;
        this.waitingWeight = waitingWeight;
        this.kvCacheWeight = kvCacheWeight;
        this.prefixWeight = prefixWeight;
        this.affinityWeight = affinityWeight;
        this.saturation = saturation;
    }

    /** Cost of sending a request to {@code e}. */
    public double cost(Engine e, int matchedBlocks, int promptBlocks, boolean preferred) {
        double c = inFlightWeight * e.inFlight() / saturation
                + waitingWeight * e.waiting() / saturation
                + kvCacheWeight * e.kvCacheUsage();
        if (promptBlocks > 0) c -= prefixWeight * matchedBlocks / promptBlocks;
        if (preferred) c -= affinityWeight;
        return c;
    }

    /** Cost from load alone (the {@code none} strategy: pure load balancing). */
    public double loadCost(Engine e) { return cost(e, 0, 0, false); }

    /** An engine at or above its per-engine in-flight limit takes no more requests if it can be helped. */
    public boolean saturated(Engine e) { return e.inFlight() >= saturation; }

    /** Whether some candidate is below saturation: the {@code hasCapacity} of {@link AdmissionQueue#acquire}. */
    public boolean hasCapacity(java.util.List<Engine> candidates) {
        for (int i = 0, n = candidates.size(); i < n; i++) if (!saturated(candidates.get(i))) return true;
        return false;
    }

    /** Requests the candidates can still take before all are saturated. */
    public int freeSlots(java.util.List<Engine> candidates) {
        int free = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            free += Math.max(0, (int) saturation - candidates.get(i).inFlight());
        }
        return free;
    }

    public int saturation() { return (int) saturation; }
    public double prefixWeight() { return prefixWeight; }
    public double affinityWeight() { return affinityWeight; }
}
