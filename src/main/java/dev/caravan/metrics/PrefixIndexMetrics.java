package dev.caravan.metrics;

import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.prefix.PrefixIndex;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * What the prefix index believes about each engine's KV cache, so an operator can check the model
 * against the engines' own figures ({@code vllm:cache_config_info}, the prefix-cache hit rate):
 * capacity and resident blocks per engine, the learned characters per token, and the entries the
 * index holds, evicts for its budget and forgets because an engine's cache was full. Read at scrape
 * time only; each per-engine read takes that engine's index lock for one field.
 */
public class PrefixIndexMetrics implements MeterBinder {

    private final PrefixIndex index;
    private final PerEngineMeters perEngine;

    public PrefixIndexMetrics(PrefixIndex index, EngineRegistry engines) {
        this.index = index;
        this.perEngine = new PerEngineMeters(engines, this::engineGauges);
    }

    private List<Meter> engineGauges(MeterRegistry registry, Engine e) {
        Tags t = Tags.of("engine", e.id());
        List<Meter> out = new ArrayList<>();
        out.add(Gauge.builder("caravan.prefix.index.capacity.blocks", e, index::capacityBlocks).tags(t)
                .description("Index blocks the engine's KV cache holds (0 = capacity unknown: never forgets)")
                .register(registry));
        out.add(Gauge.builder("caravan.prefix.index.resident.blocks", e, index::residentBlocks).tags(t)
                .description("Index blocks the engine is modelled to hold now").register(registry));
        if (index.capacityAware()) { // otherwise nothing learns the ratio: it would show its default forever
            out.add(Gauge.builder("caravan.prefix.index.chars.per.token", e, x -> index.charsPerToken().of(x)).tags(t)
                    .description("Prompt characters per engine token, learned from usage.prompt_tokens")
                    .register(registry));
        }
        return out;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        perEngine.bindTo(registry);
        Gauge.builder("caravan.prefix.index.entries", index, PrefixIndex::size)
                .description("Prefix entries the index holds").register(registry);
        FunctionCounter.builder("caravan.prefix.index.evicted", index, PrefixIndex::evictions)
                .description("Prefix entries evicted because the entry budget was full").register(registry);
        FunctionCounter.builder("caravan.prefix.index.forgotten", index, PrefixIndex::forgotten)
                .description("Blocks forgotten because an engine's KV cache was modelled full").register(registry);
    }
}
