package dev.caravan.placement.cost;

import dev.caravan.core.EngineCostView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One {@link EngineCostModel} per engine id, made on first use, and the fleet's model they all start
 * from: an engine that joins later is assumed to cost what the engines measured so far cost.
 */
public final class EngineCostModels implements EngineCostView {

    private final CostPriors priors;
    private final double memory;
    private final Map<String, EngineCostModel> models = new ConcurrentHashMap<>();
    /** Fitted on every engine's answers: what an engine not measured yet is assumed to cost. */
    private final EngineCostModel fleet;

    private final LongSupplier millis;
    private final double forgetMillis;

    /**
     * @param memory       answers after which an old answer weighs 1/e in an engine's fit
     * @param forgetMillis time without answers after which an engine's own fit weighs 1/e against the fleet's
     * @param millis       the clock, in milliseconds
     */
    public EngineCostModels(CostPriors priors, double memory, double forgetMillis, LongSupplier millis) {
        if (memory < 1) throw new IllegalArgumentException("memory must be >= 1 answer");
        if (!(forgetMillis > 0)) throw new IllegalArgumentException("forget time must be positive");
        this.priors = priors;
        this.memory = memory;
        this.millis = millis;
        this.forgetMillis = forgetMillis;
        this.fleet = new EngineCostModel(priors, memory, null, millis, forgetMillis);
    }

    public EngineCostModel of(String engineId) {
        EngineCostModel m = models.get(engineId);
        return m != null ? m : models.computeIfAbsent(engineId, id -> new EngineCostModel(priors, memory, fleet, millis, forgetMillis));
    }

    /** The model of an engine that has one, or null (no answer and no placement seen yet). */
    public EngineCostModel existing(String engineId) { return models.get(engineId); }

    @Override
    public Map<String, Object> describe(String engineId) {
        EngineCostModel m = models.get(engineId);
        return m == null ? null : m.describe();
    }

    /** The model fitted on every engine's answers. */
    public EngineCostModel fleet() { return fleet; }
}
