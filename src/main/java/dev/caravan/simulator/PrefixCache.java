package dev.caravan.simulator;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV cache's block table with automatic prefix caching, as vLLM V1 keeps it: decides which
 * prompt blocks are already cached, whether a request fits, and which cached block is evicted.
 *
 * <p>Each full block of a prompt has a hash chained from its parent block's hash and its token ids
 * (the first block also mixes in the request's {@code cache_salt}). A block is pinned while any
 * running request uses it; when the last user finishes it stays cached but becomes free, and free
 * cached blocks are evicted least recently released first when space is needed. Blocks beyond the
 * prompt's full blocks (partial last block, output) are private while the request runs; those the
 * output filled join the cache when it ends.
 *
 * <p>Not thread-safe: the engine scheduler owns it under its lock.
 */
final class PrefixCache {

    private static final long SEED_UNSALTED = 0x5bd1e9955bd1e995L;
    private static final int[] NO_TOKENS = new int[0];

    private final int totalBlocks;
    private final int blockSize;
    private final Map<Long, Block> byHash = new HashMap<>();
    /** Cached blocks no request pins, oldest release first: the eviction order. */
    private final LinkedHashMap<Long, Block> evictable = new LinkedHashMap<>();
    private int pinnedCached;
    private int privateBlocks;
    private long evictions;
    /** Told of every block stored, evicted or cleared, under the owner's lock: vLLM's KV events. */
    private KvCacheEventSink events = KvCacheEventSink.NONE;

    PrefixCache(int totalBlocks, int blockSize) {
        this.totalBlocks = totalBlocks;
        this.blockSize = blockSize;
    }

    void publishTo(KvCacheEventSink sink) {
        this.events = sink;
    }

    /** Chained hashes of the full blocks of {@code tokens}. */
    long[] blockHashes(int[] tokens, String cacheSalt) {
        return extendHashes(new long[0], tokens, new int[0], 0, cacheSalt);
    }

    /**
     * Hashes of the full blocks of {@code prompt} followed by the first {@code generated} tokens of
     * {@code output}, reusing {@code known} (the hashes of the leading full blocks, already computed).
     */
    long[] extendHashes(long[] known, int[] prompt, int[] output, int generated, String cacheSalt) {
        int full = (prompt.length + generated) / blockSize;
        if (full <= known.length) {
            return known;
        }
        long[] hashes = java.util.Arrays.copyOf(known, full);
        long parent = known.length > 0 ? known[known.length - 1] : saltSeed(cacheSalt);
        for (int b = known.length; b < full; b++) {
            long h = mix(parent, b == 0 ? 1 : 2);
            for (int k = b * blockSize, end = k + blockSize; k < end; k++) {
                h = mix(h, k < prompt.length ? prompt[k] : output[k - prompt.length]);
            }
            hashes[b] = h;
            parent = h;
        }
        return hashes;
    }

    private static long saltSeed(String cacheSalt) {
        if (cacheSalt == null) {
            return SEED_UNSALTED;
        }
        long h = mix(SEED_UNSALTED, cacheSalt.length());
        for (int k = 0; k < cacheSalt.length(); k++) {
            h = mix(h, cacheSalt.charAt(k));
        }
        return h;
    }

    int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /**
     * Pins the cached prefix of a request and reserves the rest of its blocks, or returns null when
     * free plus evictable blocks are not enough (the request then keeps waiting).
     *
     * @param hashes the prompt's full-block hashes
     * @param prompt the prompt's token ids (what a {@code BlockStored} event carries)
     * @param cacheSalt the request's {@code cache_salt}, or null
     * @param totalTokens prompt plus the most output tokens the request may produce
     */
    /** As {@link #allocate(long[], int[], String, int)} for a cache that publishes no events. */
    Allocation allocate(long[] hashes, int promptTokens, int totalTokens) {
        return allocate(hashes, new int[promptTokens], null, totalTokens);
    }

    Allocation allocate(long[] hashes, int[] prompt, String cacheSalt, int totalTokens) {
        int promptTokens = prompt.length;
        int matched = 0;
        int matchedEvictable = 0;
        while (matched < hashes.length) {
            Block b = byHash.get(hashes[matched]);
            if (b == null) {
                break;
            }
            if (b.refs == 0) {
                matchedEvictable++;
            }
            matched++;
        }
        int needed = blocksFor(totalTokens);
        int privateNeeded = needed - hashes.length;
        int newBlocks = needed - matched;
        if (newBlocks > freeBlocks() + evictable.size() - matchedEvictable) {
            return null;
        }
        for (int i = 0; i < matched; i++) {
            pin(byHash.get(hashes[i]));
        }
        int run = -1; // first block of the current run of newly stored blocks
        for (int i = matched; i < hashes.length; i++) {
            Block existing = byHash.get(hashes[i]);
            if (existing != null) {
                if (run >= 0) events.stored(hashes, run, i, prompt, NO_TOKENS, cacheSalt, blockSize);
                run = -1;
                pin(existing);
                continue;
            }
            makeRoom();
            Block b = new Block(hashes[i]);
            b.refs = 1;
            byHash.put(b.hash, b);
            pinnedCached++;
            if (run < 0) run = i;
        }
        if (run >= 0) events.stored(hashes, run, hashes.length, prompt, NO_TOKENS, cacheSalt, blockSize);
        for (int i = 0; i < privateNeeded; i++) {
            makeRoom();
            privateBlocks++;
        }
        // vLLM always recomputes the last prompt token, so a fully cached prompt still prefills one block.
        int hitBlocks = Math.min(matched, Math.max(0, promptTokens - 1) / blockSize);
        return new Allocation(hashes, privateNeeded, hitBlocks * blockSize);
    }

    /**
     * Unpins a finished or aborted request's blocks. Its full blocks stay cached, including those
     * its output filled ({@code finalHashes} extends the prompt's hashes), as in vLLM, so the next
     * turn of a conversation finds the previous answer cached too. Blocks are freed tail first, as
     * vLLM does, so under pressure a request's tail is evicted before the head others may share.
     */
    /** As {@link #release(Allocation, long[], int[], int[], String)} for a cache that publishes no events. */
    void release(Allocation a, long[] finalHashes) {
        release(a, finalHashes, NO_TOKENS, NO_TOKENS, null);
    }

    void release(Allocation a, long[] finalHashes, int[] prompt, int[] output, String cacheSalt) {
        int outputFilled = Math.min(finalHashes.length - a.hashes.length, a.privateBlocks);
        boolean[] added = outputFilled > 0 && events != KvCacheEventSink.NONE ? new boolean[outputFilled] : null;
        for (int i = a.hashes.length + outputFilled - 1; i >= a.hashes.length; i--) {
            long h = finalHashes[i];
            if (!byHash.containsKey(h)) {
                Block b = new Block(h);
                byHash.put(h, b);
                evictable.put(h, b);
                if (added != null) added[i - a.hashes.length] = true;
            }
        }
        if (added != null) {
            // Published parent first, in runs, so that each event's parent is already known downstream.
            int base = a.hashes.length;
            for (int i = 0; i < outputFilled; ) {
                if (!added[i]) { i++; continue; }
                int j = i;
                while (j < outputFilled && added[j]) j++;
                events.stored(finalHashes, base + i, base + j, prompt, output, cacheSalt, blockSize);
                i = j;
            }
        }
        privateBlocks -= a.privateBlocks;
        for (int i = a.hashes.length - 1; i >= 0; i--) {
            Block b = byHash.get(a.hashes[i]);
            if (b == null || b.refs == 0) {
                continue;
            }
            if (--b.refs == 0) {
                pinnedCached--;
                evictable.put(b.hash, b);
            }
        }
    }

    /**
     * Drops every cached block, as vLLM's {@code /reset_prefix_cache}: only when no request holds
     * blocks (vLLM refuses too), so that the cache and its published events stay in step.
     */
    boolean reset() {
        if (pinnedCached > 0 || privateBlocks > 0) {
            return false;
        }
        byHash.clear();
        evictable.clear();
        events.cleared();
        return true;
    }

    /** Number of leading blocks of {@code hashes} present in the cache, without touching it. */
    int cachedPrefixBlocks(long[] hashes) {
        int n = 0;
        while (n < hashes.length && byHash.containsKey(hashes[n])) {
            n++;
        }
        return n;
    }

    /** Blocks pinned by running requests over all blocks: vLLM's {@code kv_cache_usage_perc}. */
    double usage() {
        return (double) (pinnedCached + privateBlocks) / totalBlocks;
    }

    int usedBlocks() { return pinnedCached + privateBlocks; }
    int cachedBlocks() { return byHash.size(); }
    int blockSize() { return blockSize; }
    long evictions() { return evictions; }

    private int freeBlocks() {
        return totalBlocks - pinnedCached - privateBlocks - evictable.size();
    }

    private void pin(Block b) {
        if (b.refs++ == 0) {
            evictable.remove(b.hash);
            pinnedCached++;
        }
    }

    private void makeRoom() {
        if (freeBlocks() > 0) {
            return;
        }
        Iterator<Map.Entry<Long, Block>> oldest = evictable.entrySet().iterator();
        Map.Entry<Long, Block> victim = oldest.next();
        oldest.remove();
        byHash.remove(victim.getKey());
        evictions++;
        events.removed(victim.getKey());
    }

    private static long mix(long h, long v) {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 32;
        x *= 0xD6E8FEB86659FD93L;
        return x ^ (x >>> 29);
    }

    /** The blocks one request holds. */
    static final class Allocation {
        private final long[] hashes;
        private final int privateBlocks;
        private final int cachedTokens;

        private Allocation(long[] hashes, int privateBlocks, int cachedTokens) {
            this.hashes = hashes;
            this.privateBlocks = privateBlocks;
            this.cachedTokens = cachedTokens;
        }

        /** Prompt tokens served from the cache, a whole number of blocks. */
        int cachedTokens() { return cachedTokens; }
    }

    private static final class Block {
        private final long hash;
        private int refs;

        private Block(long hash) {
            this.hash = hash;
        }
    }
}
