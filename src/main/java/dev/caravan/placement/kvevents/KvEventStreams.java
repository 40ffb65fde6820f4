package dev.caravan.placement.kvevents;

import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.prefix.KvBlockIndex;
import dev.caravan.placement.prefix.PreciseBlocks;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KV event streams of the engines that publish them, one {@link KvEventStream} each, and the
 * precise answer placement asks for: what each engine with a healthy stream holds of a prompt.
 */
public final class KvEventStreams implements PreciseBlocks, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventStreams.class);

    private final KvBlockIndex index;
    private final Map<String, KvEventStream> byEngine = new LinkedHashMap<>();

    public KvEventStreams(EngineRegistry engines, KvEventsProperties properties) {
        this(engines.all(), properties);
    }

    public KvEventStreams(Collection<Engine> engines, KvEventsProperties properties) {
        this.index = new KvBlockIndex(properties.getMaxBlocks());
        if (!properties.isEnabled()) return;
        for (Engine e : engines) {
            String endpoint = e.kvEventsEndpoint() != null ? e.kvEventsEndpoint() : derived(e, properties.getPort());
            if (endpoint == null) continue;
            String replay = e.kvEventsReplayEndpoint() != null ? e.kvEventsReplayEndpoint() : derived(e, properties.getReplayPort());
            byEngine.put(e.id(), new KvEventStream(e.id(), endpoint, replay, index,
                    properties.getTimeout().toMillis(), properties.getProbeInterval().toMillis()).start());
            log.info("Following KV events of engine {} on {} (replay {})", e.id(), endpoint, replay == null ? "none" : replay);
        }
    }

    private static String derived(Engine e, int port) {
        if (port < 0) return null;
        String host = e.url().getHost();
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Whether any engine publishes KV events (else precise placement is off altogether). */
    public boolean any() { return !byEngine.isEmpty(); }

    public KvBlockIndex index() { return index; }

    /** The stream of an engine, or null when it publishes none. */
    public KvEventStream of(String engineId) { return byEngine.get(engineId); }

    public Collection<KvEventStream> streams() { return byEngine.values(); }

    public boolean healthy(Engine e) {
        KvEventStream s = byEngine.get(e.id());
        return s != null && s.healthy();
    }

    @Override
    public boolean anyHealthy(List<Engine> candidates) {
        for (int i = 0, n = candidates.size(); i < n; i++) {
            if (healthy(candidates.get(i))) return true;
        }
        return false;
    }

    @Override
    public void match(int[] promptTokens, List<Engine> candidates, int[] out) {
        index.matchedTokens(promptTokens, candidates, out);
        for (int i = 0, n = candidates.size(); i < n; i++) {
            if (!healthy(candidates.get(i))) out[i] = -1;
        }
    }

    @Override
    public void close() {
        byEngine.values().forEach(KvEventStream::close);
    }
}
