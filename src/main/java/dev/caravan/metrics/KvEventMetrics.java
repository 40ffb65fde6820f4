package dev.caravan.metrics;

import dev.caravan.placement.kvevents.KvEventStream;
import dev.caravan.placement.kvevents.KvEventStreams;
import dev.caravan.placement.kvevents.PromptTokenizer;
import dev.caravan.placement.prefix.KvBlockIndex;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The KV event streams and the block index they fill: whether each engine is placed precisely now,
 * the events, gaps, replays and losses of its stream, the index's size and memory, and how prompt
 * tokenisation fares (cache hits, calls, answers too late to be used). Read at scrape time only.
 */
public class KvEventMetrics implements MeterBinder {

    private final KvEventStreams streams;
    private final PromptTokenizer tokenizer;

    public KvEventMetrics(KvEventStreams streams, PromptTokenizer tokenizer) {
        this.streams = streams;
        this.tokenizer = tokenizer;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!streams.any()) return;
        for (KvEventStream s : streams.streams()) {
            Tags t = Tags.of("engine", s.engineId());
            Gauge.builder("caravan.kv.events.stream.healthy", s, x -> x.healthy() ? 1 : 0).tags(t)
                    .description("1 while the engine's KV event stream is complete and live (precise placement), else 0")
                    .register(registry);
            counter(registry, "caravan.kv.events.batches", s, KvEventStream::batches, t, "KV event batches folded");
            counter(registry, "caravan.kv.events.events", s, KvEventStream::events, t, "KV events folded");
            counter(registry, "caravan.kv.events.gaps", s, KvEventStream::gaps, t, "Sequence gaps seen on the live socket");
            counter(registry, "caravan.kv.events.replayed", s, KvEventStream::replayedBatches, t, "Batches folded from the replay endpoint");
            counter(registry, "caravan.kv.events.lost", s, KvEventStream::lostBatches, t, "Batches missed for good");
            counter(registry, "caravan.kv.events.restarts", s, KvEventStream::restarts, t, "Engine restarts seen (its blocks dropped)");
            counter(registry, "caravan.kv.events.bad", s, KvEventStream::badPayloads, t, "Undecodable frames or batches");
            Gauge.builder("caravan.kv.events.engine.blocks", streams.index(), i -> i.blocksOf(s.engineId())).tags(t)
                    .description("Blocks the engine reported holding").register(registry);
        }
        KvBlockIndex index = streams.index();
        Gauge.builder("caravan.kv.events.index.blocks", index, KvBlockIndex::size)
                .description("Distinct blocks in the KV event index").register(registry);
        Gauge.builder("caravan.kv.events.index.bytes", index, KvBlockIndex::footprintBytes)
                .description("Bytes held by the KV event index's arrays").register(registry);
        FunctionCounter.builder("caravan.kv.events.index.evicted", index, KvBlockIndex::evictions)
                .description("Blocks pushed out by caravan.kv-events.max-blocks").register(registry);
        FunctionCounter.builder("caravan.kv.events.index.orphans", index, KvBlockIndex::orphanBlocks)
                .description("Stored blocks left out because their parent block was unknown").register(registry);
        FunctionCounter.builder("caravan.kv.events.tokenize.calls", tokenizer, PromptTokenizer::calls)
                .description("Prompts tokenised by an engine for precise placement").register(registry);
        FunctionCounter.builder("caravan.kv.events.tokenize.cache.hits", tokenizer, PromptTokenizer::cacheHits)
                .description("Prompts whose token ids were cached").register(registry);
        FunctionCounter.builder("caravan.kv.events.tokenize.late", tokenizer, PromptTokenizer::late)
                .description("Tokenisations past caravan.kv-events.tokenize-timeout (placed approximately)").register(registry);
        FunctionCounter.builder("caravan.kv.events.tokenize.failures", tokenizer, PromptTokenizer::failures)
                .description("Tokenisations that failed (placed approximately)").register(registry);
    }

    private static void counter(MeterRegistry registry, String name, KvEventStream s, ToDoubleFunction<KvEventStream> f,
                                Tags t, String description) {
        FunctionCounter.builder(name, s, f).tags(t).description(description).register(registry);
    }
}
