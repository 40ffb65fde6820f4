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
    private final Map<String, RecentPrompts> recent = new LinkedHashMap<>();
    private final long recentWindowNanos;

    public KvEventStreams(EngineRegistry engines, KvEventsProperties properties) {
        this(engines.all(), properties);
    }

    public KvEventStreams(Collection<Engine> engines, KvEventsProperties properties) {
        this.index = new KvBlockIndex(properties.getMaxBlocks());
        this.recentWindowNanos = properties.getRecentWindow().toNanos();
        if (!properties.isEnabled()) return;
        for (Engine e : engines) {
            String endpoint = e.kvEventsEndpoint() != null ? e.kvEventsEndpoint() : derived(e, properties.getPort());
            if (endpoint == null) continue;
            String replay = e.kvEventsReplayEndpoint() != null ? e.kvEventsReplayEndpoint() : derived(e, properties.getReplayPort());
            byEngine.put(e.id(), new KvEventStream(e.id(), endpoint, replay, index,
                    properties.getTimeout().toMillis(), properties.getProbeInterval().toMillis()).start());
            recent.put(e.id(), new RecentPrompts());
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
        long now = System.nanoTime();
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine e = candidates.get(i);
            if (!healthy(e)) {
                out[i] = -1;
                continue;
            }
            RecentPrompts r = recent.get(e.id());
            if (r != null) {
                int bs = index.blockSize(e.id());
                out[i] = Math.max(out[i], r.longestPrefix(promptTokens, bs > 0 ? bs : 16, now - recentWindowNanos));
            }
        }
    }

    /**
     * The engine took a prompt (answered 200). Its {@code BlockStored} events follow a few milliseconds
     * later; until they are folded, or for {@code recent-window} at most, the prompt counts as held, so
     * that a request right behind its predecessor is not placed as if the engine held nothing.
     */
    public void accepted(String engineId, int[] promptTokens) {
        RecentPrompts r = recent.get(engineId);
        if (r != null) r.add(promptTokens, System.nanoTime());
    }

    /** The last few prompts an engine took, with when: a ring, locked only for array copies. */
    private static final class RecentPrompts {
        private static final int SIZE = 16;
        private final int[][] prompts = new int[SIZE][];
        private final long[] at = new long[SIZE];
        private int next;

        synchronized void add(int[] tokens, long now) {
            prompts[next] = tokens;
            at[next] = now;
            next = (next + 1) % SIZE;
        }

        /** Tokens in whole blocks that {@code tokens} shares with a prompt taken after {@code since}. */
        synchronized int longestPrefix(int[] tokens, int blockSize, long since) {
            int best = 0;
            for (int k = 0; k < SIZE; k++) {
                int[] p = prompts[k];
                if (p == null || at[k] - since < 0) continue;
                int n = Math.min(p.length, tokens.length), m = 0;
                while (m < n && p[m] == tokens[m]) m++;
                best = Math.max(best, m / blockSize * blockSize);
            }
            return best;
        }
    }

    @Override
    public void close() {
        byEngine.values().forEach(KvEventStream::close);
    }
}
