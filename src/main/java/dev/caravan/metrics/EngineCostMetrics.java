package dev.caravan.metrics;

import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.cost.EngineCostModel;
import dev.caravan.placement.cost.EngineCostModels;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What the gateway has learnt each engine costs, so an operator can compare it with the engine's own
 * histograms ({@code vllm:time_to_first_token_seconds}, {@code vllm:inter_token_latency_seconds}) and
 * see a slow engine as placement sees it. Read at scrape time; no lock.
 */
public class EngineCostMetrics implements MeterBinder {

    private final EngineCostModels models;
    private final PerEngineMeters perEngine;

    public EngineCostMetrics(EngineCostModels models, EngineRegistry engines) {
        this.models = models;
        this.perEngine = new PerEngineMeters(engines, this::engineMeters);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        perEngine.bindTo(registry);
    }

    private List<Meter> engineMeters(MeterRegistry registry, Engine e) {
        EngineCostModel m = models.of(e.id());
        Tags t = Tags.of("engine", e.id());
        return List.of(
                gauge(registry, "caravan.engine.cost.ttft.idle.seconds", m, EngineCostModel::idleTimeToFirstToken, t,
                        "Predicted time to first token of 1,000 uncached prompt tokens on the idle engine"),
                gauge(registry, "caravan.engine.cost.prefill.seconds.per.kilotoken", m,
                        EngineCostModel::prefillSecondsPerKilotoken, t, "Learnt prefill time per 1,000 uncached prompt tokens"),
                gauge(registry, "caravan.engine.cost.itl.idle.seconds", m, EngineCostModel::idleInterTokenLatency, t,
                        "Learnt inter-token latency decoding alone"),
                gauge(registry, "caravan.engine.cost.itl.seconds.per.batch.slot", m,
                        EngineCostModel::interTokenSecondsPerBatchSlot, t,
                        "Learnt inter-token latency added by each further sequence in the batch"),
                gauge(registry, "caravan.engine.cost.ttft.error.seconds", m, EngineCostModel::timeToFirstTokenError, t,
                        "Mean absolute error of the time-to-first-token prediction (recent answers weigh most)"),
                FunctionCounter.builder("caravan.engine.cost.samples", m, EngineCostModel::samples).tags(t)
                        .description("Answers the engine's cost model learnt from").register(registry));
    }

    private static Meter gauge(MeterRegistry registry, String name, EngineCostModel m,
                               ToDoubleFunction<EngineCostModel> f, Tags tags, String description) {
        return Gauge.builder(name, m, f).tags(tags).description(description).register(registry);
    }
}
