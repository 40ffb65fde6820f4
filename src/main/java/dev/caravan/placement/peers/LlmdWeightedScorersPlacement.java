package dev.caravan.placement.peers;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code llm-d}: the llm-d inference scheduler's (Gateway API inference extension endpoint picker)
 * default scoring profile, re-implemented for side-by-side comparison.
 *
 * <p>Source: llm-d/llm-d-inference-scheduler default {@code EndpointPickerConfig} and
 * kubernetes-sigs/gateway-api-inference-extension plugins {@code queue-scorer},
 * {@code kv-cache-utilization-scorer}, {@code prefix-cache-scorer} and {@code max-score-picker}:
 * <ul>
 *   <li>queue: {@code (maxQ - q) / (maxQ - minQ)} over the candidates' waiting queues (1 when all
 *       equal), weight 2;
 *   <li>KV-cache utilisation: {@code 1 - usage}, weight 2;
 *   <li>prefix-cache match: leading matched blocks over the prompt's blocks, on 64-character blocks
 *       whose hashes chain the previous block (xxhash64 there), at most 256 blocks, remembered per
 *       server in an LRU of 31,250 blocks, recorded for the chosen server before the request is sent;
 *       weight 3.
 * </ul>
 * The weighted sum is computed per candidate and the maximum wins (ties at random). Queue and KV
 * usage are the engines' scraped metrics, as the endpoint picker's metrics refresher provides them.
 */
public final class LlmdWeightedScorersPlacement implements PlacementPolicy {

    public static final String NAME = "llm-d";
    public static final int BLOCK_CHARS = 64;
    public static final int MAX_BLOCKS = 256;
    public static final int LRU_BLOCKS_PER_SERVER = 31_250;

    private final double queueWeight;
    private final double kvWeight;
    private final double prefixWeight;
    private final ConcurrentHashMap<String, ServerBlocks> blocksByServer = new ConcurrentHashMap<>();

    /** llm-d's default weights: queue 2, KV-cache utilisation 2, prefix 3. */
    public LlmdWeightedScorersPlacement() {
        this(2, 2, 3);
    }

    public LlmdWeightedScorersPlacement(double queueWeight, double kvWeight, double prefixWeight) {
        this.queueWeight = queueWeight;
        this.kvWeight = kvWeight;
        this.prefixWeight = prefixWeight;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        String text = request.promptText() == null ? "" : request.promptText();
        int n = TextChunks.count(text, BLOCK_CHARS, MAX_BLOCKS);
        long[] blocks = TextChunks.chainedHashes(text, BLOCK_CHARS, n);
        int minQ = Integer.MAX_VALUE, maxQ = Integer.MIN_VALUE;
        for (Engine e : candidates) {
            minQ = Math.min(minQ, e.waiting());
            maxQ = Math.max(maxQ, e.waiting());
        }
        Engine best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestMatch = 0;
        int ties = 0;
        for (Engine e : candidates) {
            double queue = maxQ == minQ ? 1.0 : (double) (maxQ - e.waiting()) / (maxQ - minQ);
            double kv = 1.0 - Math.max(0, Math.min(1, e.kvCacheUsage()));
            int m = servers(e).match(blocks);
            double prefix = n == 0 ? 0 : (double) m / n;
            double s = queueWeight * queue + kvWeight * kv + prefixWeight * prefix;
            if (s > bestScore) {
                best = e;
                bestScore = s;
                bestMatch = m;
                ties = 1;
            } else if (s == bestScore && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = e;
                bestMatch = m;
            }
        }
        servers(best).record(blocks);
        return new PlacementDecision(best, bestMatch > 0 ? PlacementReason.PREFIX : PlacementReason.LEAST_LOADED);
    }

    private ServerBlocks servers(Engine e) {
        return blocksByServer.computeIfAbsent(e.id(), k -> new ServerBlocks(LRU_BLOCKS_PER_SERVER));
    }

    /** Block hashes one server probably caches, least recently used evicted first. */
    private static final class ServerBlocks {
        private final int capacity;
        private final LinkedHashMap<Long, Boolean> lru = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };

        ServerBlocks(int capacity) { this.capacity = capacity; }

        synchronized int match(long[] blocks) {
            int n = 0;
            while (n < blocks.length && lru.get(blocks[n]) != null) n++;
            return n;
        }

        synchronized void record(long[] blocks) {
            for (long b : blocks) lru.put(b, Boolean.TRUE);
        }
    }
}
