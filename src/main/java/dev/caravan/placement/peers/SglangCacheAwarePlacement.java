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
 * {@code sglang-cache-aware}: the SGLang model gateway's (sgl-router) {@code cache_aware} policy,
 * re-implemented for side-by-side comparison.
 *
 * <p>Source: sgl-project/sglang, {@code sgl-router/src/policies/cache_aware.rs} and
 * {@code sgl-router/src/tree.rs}; defaults from its {@code CacheAwareConfig}: cache threshold 0.3,
 * balance absolute threshold 64, balance relative threshold 1.5, max tree size 2^26 characters.
 * <ol>
 *   <li>If the load is imbalanced — {@code max - min > 64} and {@code max > 1.5 x min} over the
 *       router's own running-request counts — the request goes to the least loaded worker.
 *   <li>Otherwise the worker whose approximate tree shares the longest prefix with the request text
 *       gets it if {@code matched / text length > 0.3}; else the worker with the smallest tree.
 *   <li>Either way the request text is inserted into the chosen worker's tree; trees are bounded by
 *       evicting least recently used entries.
 * </ol>
 * SGLang's tree is a character radix tree; here each worker's tree is approximated at
 * {@value #CHUNK_CHARS}-character granularity by chained chunk hashes in a per-worker LRU map, so a
 * match is accurate to within one chunk. Loads are this gateway's in-flight counts, which is what
 * the router itself counts.
 */
public final class SglangCacheAwarePlacement implements PlacementPolicy {

    public static final String NAME = "sglang-cache-aware";
    public static final int CHUNK_CHARS = 16;

    private final double cacheThreshold;
    private final int balanceAbsThreshold;
    private final double balanceRelThreshold;
    private final int maxChunksPerWorker;
    private final ConcurrentHashMap<String, WorkerTree> trees = new ConcurrentHashMap<>();

    /** SGLang's defaults. */
    public SglangCacheAwarePlacement() {
        this(0.3, 64, 1.5, (1 << 26) / CHUNK_CHARS);
    }

    public SglangCacheAwarePlacement(double cacheThreshold, int balanceAbsThreshold, double balanceRelThreshold,
                                     int maxChunksPerWorker) {
        this.cacheThreshold = cacheThreshold;
        this.balanceAbsThreshold = balanceAbsThreshold;
        this.balanceRelThreshold = balanceRelThreshold;
        this.maxChunksPerWorker = maxChunksPerWorker;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        String text = request.promptText() == null ? "" : request.promptText();
        long[] chunks = TextChunks.chainedHashes(text, CHUNK_CHARS, TextChunks.count(text, CHUNK_CHARS, Integer.MAX_VALUE));
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (Engine e : candidates) {
            min = Math.min(min, e.inFlight());
            max = Math.max(max, e.inFlight());
        }
        Engine chosen;
        PlacementReason reason;
        if (max - min > balanceAbsThreshold && max > balanceRelThreshold * min) {
            chosen = leastLoaded(candidates);
            reason = PlacementReason.LEAST_LOADED;
        } else {
            Engine best = null;
            int bestMatch = -1;
            for (Engine e : candidates) {
                int m = tree(e).match(chunks);
                if (m > bestMatch || (m == bestMatch && e.inFlight() < best.inFlight())) {
                    best = e;
                    bestMatch = m;
                }
            }
            double rate = text.isEmpty() ? 0 : (double) bestMatch * CHUNK_CHARS / text.length();
            if (rate > cacheThreshold) {
                chosen = best;
                reason = PlacementReason.PREFIX;
            } else {
                chosen = smallestTree(candidates);
                reason = PlacementReason.LEAST_LOADED;
            }
        }
        tree(chosen).insert(chunks);
        return new PlacementDecision(chosen, reason);
    }

    private WorkerTree tree(Engine e) {
        return trees.computeIfAbsent(e.id(), k -> new WorkerTree(maxChunksPerWorker));
    }

    private static Engine leastLoaded(List<Engine> candidates) {
        Engine best = null;
        for (Engine e : candidates) if (best == null || e.inFlight() < best.inFlight()) best = e;
        return best;
    }

    private Engine smallestTree(List<Engine> candidates) {
        Engine best = null;
        int bestSize = Integer.MAX_VALUE;
        int ties = 0;
        for (Engine e : candidates) {
            int s = tree(e).size();
            if (s < bestSize) {
                best = e;
                bestSize = s;
                ties = 1;
            } else if (s == bestSize && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = e;
            }
        }
        return best;
    }

    /** Characters (approximately) held in a worker's tree, for tests. */
    public int treeChars(Engine e) { return tree(e).size() * CHUNK_CHARS; }

    /** One worker's approximate tree: prefix-path hashes in least-recently-used order. */
    private static final class WorkerTree {
        private final int capacity;
        private final LinkedHashMap<Long, Boolean> lru = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };

        WorkerTree(int capacity) { this.capacity = capacity; }

        synchronized int match(long[] chunks) {
            int n = 0;
            while (n < chunks.length && lru.get(chunks[n]) != null) n++;
            return n;
        }

        synchronized void insert(long[] chunks) {
            for (long c : chunks) lru.put(c, Boolean.TRUE);
        }

        synchronized int size() { return lru.size(); }
    }
}
