package dev.caravan.routing;

import dev.caravan.engines.Engine;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Approximate map of which engine probably holds which prompt prefix in its KV cache.
 *
 * <p>The prompt text is cut into fixed-size character blocks; block {@code i} is identified by a
 * 64-bit hash chained over blocks {@code 0..i}, so one hash stands for the whole prefix up to that
 * block (the same idea as vLLM's block hashes, on characters because the gateway does not tokenize).
 * Only full blocks count: a partial tail block is never reused by vLLM either.
 *
 * <p>Each entry maps a prefix hash to a 64-bit mask of engines that were sent that prefix. Engines get
 * ordinals on first sight; with more than 64 engines ordinals share bits ({@code ordinal mod 64}),
 * which only adds false positives — acceptable for an index that is approximate by nature (the engine
 * evicts blocks without telling us, too).
 *
 * <p>Memory is bounded by a global entry budget split over lock-striped segments; each segment is an
 * open-addressing table of primitive arrays with an intrusive least-recently-used list (about 32 bytes
 * per entry, no per-entry objects, no allocation on record or lookup). When a segment is full its least
 * recently recorded prefix is evicted. Segment locks are held for a few array operations only, never
 * across I/O, so a slow engine can never make the request path wait on them.
 */
public final class PrefixIndex {

    /** Bytes per entry: key + mask + two LRU links + two index slots (table at load factor 0.5). */
    public static final int BYTES_PER_ENTRY = 8 + 8 + 4 + 4 + 2 * 4;

    private final int blockChars;
    private final int maxBlocks;
    private final Segment[] segments;
    private final int segmentShift;
    private final ConcurrentHashMap<String, Integer> ordinals = new ConcurrentHashMap<>();
    private final AtomicInteger nextOrdinal = new AtomicInteger();

    /**
     * @param blockChars  characters per block (e.g. 128)
     * @param maxEntries  global budget of prefix entries (memory is about {@link #BYTES_PER_ENTRY} each)
     * @param maxBlocks   blocks of a prompt that are indexed at most; longer prompts are matched on
     *                    their first {@code maxBlocks} blocks only, which bounds the per-request cost
     */
    public PrefixIndex(int blockChars, int maxEntries, int maxBlocks) {
        if (blockChars < 1 || maxEntries < 1 || maxBlocks < 1) throw new IllegalArgumentException("sizes must be >= 1");
        this.blockChars = blockChars;
        this.maxBlocks = maxBlocks;
        // Small budgets get one segment so eviction is exact LRU; large ones are striped for concurrency.
        int n = 1;
        while (n < 16 && (long) maxEntries / (n * 2L) >= 4096) n <<= 1;
        this.segments = new Segment[n];
        this.segmentShift = 64 - Integer.numberOfTrailingZeros(n);
        int per = (maxEntries + n - 1) / n;
        for (int i = 0; i < n; i++) segments[i] = new Segment(per);
    }

    public int blockChars() { return blockChars; }

    /** Number of full blocks of {@code prompt} that the index looks at. */
    public int blocks(CharSequence prompt) {
        return prompt == null ? 0 : Math.min(prompt.length() / blockChars, maxBlocks);
    }

    /** Learns that {@code engine} was sent {@code prompt}, so it now probably caches its prefix. */
    public void record(CharSequence prompt, Engine engine) {
        int n = blocks(prompt);
        if (n == 0) return;
        long bit = bit(engine.id());
        long h = 0;
        for (int b = 0; b < n; b++) {
            h = Hashing.hash(h, prompt, b * blockChars, (b + 1) * blockChars);
            segment(h).record(h, bit);
        }
    }

    /**
     * For each candidate, how many leading blocks of {@code prompt} it probably holds, into
     * {@code out} (same order as {@code candidates}).
     *
     * @return the number of blocks of the prompt considered (0 for prompts shorter than a block)
     */
    public int match(CharSequence prompt, List<Engine> candidates, int[] out) {
        int c = candidates.size();
        java.util.Arrays.fill(out, 0, c, 0);
        int n = blocks(prompt);
        if (n == 0) return 0;
        // Engines still matching after block b are the bits of cum; bits drop out as blocks miss.
        long cum = -1L;
        long h = 0;
        int matched = 0;
        long[] byBitCount = null;
        int b = 0;
        for (; b < n; b++) {
            h = Hashing.hash(h, prompt, b * blockChars, (b + 1) * blockChars);
            long next = cum & segment(h).mask(h);
            if (next != cum) {
                long dropped = cum & ~next;
                if (b > 0) {
                    if (byBitCount == null) byBitCount = new long[64];
                    while (dropped != 0) {
                        int bitIndex = Long.numberOfTrailingZeros(dropped);
                        byBitCount[bitIndex] = b;
                        dropped &= dropped - 1;
                    }
                }
                cum = next;
            }
            if (cum == 0) break;
        }
        matched = b; // engines left in cum matched every considered block
        for (int i = 0; i < c; i++) {
            Integer ord = ordinals.get(candidates.get(i).id());
            if (ord == null) continue;
            int bitIndex = ord & 63;
            if ((cum & (1L << bitIndex)) != 0) out[i] = matched;
            else if (byBitCount != null) out[i] = (int) byBitCount[bitIndex];
        }
        return n;
    }

    /** Leading blocks of {@code prompt} that {@code engine} probably holds. */
    public int matchedBlocks(CharSequence prompt, Engine engine) {
        int[] out = new int[1];
        match(prompt, List.of(engine), out);
        return out[0];
    }

    /** Live entries across all segments. */
    public long size() {
        long s = 0;
        for (Segment seg : segments) s += seg.size();
        return s;
    }

    /** The entry budget (sum of segment capacities). */
    public long capacity() {
        long s = 0;
        for (Segment seg : segments) s += seg.capacity;
        return s;
    }

    /** Bytes held by the index arrays, allocated up front (the bound, not the current use). */
    public long footprintBytes() {
        long s = 0;
        for (Segment seg : segments) s += seg.footprintBytes();
        return s;
    }

    /** Prefix entries evicted because the budget was full. */
    public long evictions() {
        long s = 0;
        for (Segment seg : segments) s += seg.evictions();
        return s;
    }

    private long bit(String engineId) {
        Integer ord = ordinals.get(engineId);
        if (ord == null) ord = ordinals.computeIfAbsent(engineId, k -> nextOrdinal.getAndIncrement());
        return 1L << (ord & 63);
    }

    private Segment segment(long h) {
        return segments.length == 1 ? segments[0] : segments[(int) (h >>> segmentShift)];
    }

    /** One lock stripe of the global map: prefix hash to engine mask, least recently recorded out. */
    private static final class Segment extends LruKeyTable {
        final int capacity;
        private final long[] masks;
        private long evictions;

        Segment(int capacity) {
            super(capacity);
            this.capacity = capacity;
            masks = new long[capacity];
        }

        @Override
        void resized(int slots) {
            throw new IllegalStateException("a segment never grows"); // it evicts before adding
        }

        synchronized int size() { return live(); }
        synchronized long evictions() { return evictions; }

        long footprintBytes() { return baseFootprintBytes() + 8L * masks.length; }

        synchronized long mask(long key) {
            int s = slotOf(key);
            return s == NIL ? 0 : masks[s];
        }

        synchronized void record(long key, long bit) {
            int s = slotOf(key);
            if (s != NIL) {
                masks[s] |= bit;
                if (s != mru) { unlink(s); linkMru(s); }
                return;
            }
            if (full()) {
                remove(lru);
                evictions++;
            }
            s = add(key, 0);
            masks[s] = bit;
            linkMru(s);
        }

        /** The engines of {@code bit} no longer hold {@code key}; an entry nobody holds leaves. */
        synchronized void forget(long key, long bit) {
            int s = slotOf(key);
            if (s == NIL) return;
            long m = masks[s] & ~bit;
            if (m == 0) remove(s);
            else masks[s] = m;
        }
    }
}
