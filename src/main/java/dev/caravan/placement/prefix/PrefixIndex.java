package dev.caravan.placement.prefix;

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
 * <p>Each entry maps a prefix hash to a 64-bit mask of engines that probably hold that prefix. Engines
 * get ordinals on first sight; with more than 64 engines ordinals share bits ({@code ordinal mod 64}),
 * which adds false positives, and an engine forgetting a prefix clears the bit for its bit-mates too.
 *
 * <p><b>Capacity.</b> An engine's KV cache is finite and evicts without telling anyone. For each engine
 * whose capacity is known ({@link Engine#kvCacheTokens}, from vLLM's {@code vllm:cache_config_info} or
 * configuration) the index models which of its blocks the engine still holds ({@link ResidentBlocks}):
 * least recently used out once more than {@code kvCacheTokens x charsPerToken / blockChars} index
 * blocks are held, where characters per token are learned from the engine's answers
 * ({@link CharsPerToken}). A block the model evicts loses that engine's bit, and an entry no engine
 * holds any more leaves the index, so {@link #match} reports only prefixes an engine probably still
 * caches. Engines of unknown capacity keep their bits until the entry budget evicts them.
 *
 * <p>What the model leaves out, on purpose: vLLM pins the blocks of running requests and orders free
 * blocks by release time, not by start time; a request's blocks are the most recently used ones when it
 * starts, so pinning matters only for requests running longer than the cache takes to turn over.
 * Output tokens occupy blocks too; they are unknown when the request is placed, and short next to
 * the prompts that make caches churn.
 *
 * <p>Memory is bounded by a global entry budget split over lock-striped segments; each segment is an
 * open-addressing table of primitive arrays with an intrusive least-recently-used list (about 32 bytes
 * per entry, no per-entry objects, no allocation on record or lookup). When a segment is full its least
 * recently recorded prefix is evicted. Each engine's resident blocks take about 28 bytes per block,
 * at most {@code min(capacity in blocks, maxEntries)} blocks, grown on demand. Locks (one per segment,
 * one per engine, always taken in the order engine then segment) are held for a few array operations
 * only, never across I/O, so a slow engine can never make the request path wait on them.
 */
public final class PrefixIndex {

    /** Bytes per entry: key + mask + two LRU links + two index slots (table at load factor 0.5). */
    public static final int BYTES_PER_ENTRY = 8 + 8 + 4 + 4 + 2 * 4;
    /** Characters per token before the engines' answers teach a better value (English under BPE). */
    public static final double DEFAULT_CHARS_PER_TOKEN = 4.0;

    private final int blockChars;
    private final int maxBlocks;
    private final Segment[] segments;
    private final int segmentShift;
    private final ConcurrentHashMap<String, Integer> ordinals = new ConcurrentHashMap<>();
    private volatile PreciseBlocks precise;
    private final AtomicInteger nextOrdinal = new AtomicInteger();
    private final CharsPerToken charsPerToken;
    private final boolean capacityAware;
    /** Per engine id: the blocks that engine probably still holds (engines of known capacity only). */
    private final ConcurrentHashMap<String, ResidentBlocks> resident = new ConcurrentHashMap<>();
    private final int maxResidentBlocks;

    /**
     * A capacity-aware index with the default characters per token, learned from answers fed to
     * {@code charsPerToken()}.
     *
     * @param blockChars  characters per block (e.g. 128)
     * @param maxEntries  global budget of prefix entries (memory is about {@link #BYTES_PER_ENTRY} each)
     * @param maxBlocks   blocks of a prompt that are indexed at most; longer prompts are matched on
     *                    their first {@code maxBlocks} blocks only, which bounds the per-request cost
     */
    public PrefixIndex(int blockChars, int maxEntries, int maxBlocks) {
        this(blockChars, maxEntries, maxBlocks, new CharsPerToken(DEFAULT_CHARS_PER_TOKEN, true), true);
    }

    /**
     * @param charsPerToken  converts an engine's capacity in tokens to index blocks
     * @param capacityAware  whether engines of known KV capacity forget what they have probably evicted;
     *                       false keeps every engine's bits until the entry budget evicts them
     */
    public PrefixIndex(int blockChars, int maxEntries, int maxBlocks, CharsPerToken charsPerToken,
                       boolean capacityAware) {
        if (blockChars < 1 || maxEntries < 1 || maxBlocks < 1) throw new IllegalArgumentException("sizes must be >= 1");
        this.blockChars = blockChars;
        this.maxBlocks = maxBlocks;
        this.charsPerToken = charsPerToken;
        this.capacityAware = capacityAware;
        // An engine cannot be reported holding more than the whole index remembers.
        this.maxResidentBlocks = maxEntries;
        // Small budgets get one segment so eviction is exact LRU; large ones are striped for concurrency.
        int n = 1;
        while (n < 16 && (long) maxEntries / (n * 2L) >= 4096) n <<= 1;
        this.segments = new Segment[n];
        this.segmentShift = 64 - Integer.numberOfTrailingZeros(n);
        int per = (maxEntries + n - 1) / n;
        for (int i = 0; i < n; i++) segments[i] = new Segment(per);
    }

    public int blockChars() { return blockChars; }

    /** The engines' own reports (KV events), or null when no engine publishes them. */
    public PreciseBlocks precise() { return precise; }

    /** Set once at start, when KV event streams are configured. */
    public void usePrecise(PreciseBlocks precise) { this.precise = precise; }

    public CharsPerToken charsPerToken() { return charsPerToken; }

    /** Number of full blocks of {@code prompt} that the index looks at. */
    public int blocks(CharSequence prompt) {
        return prompt == null ? 0 : Math.min(prompt.length() / blockChars, maxBlocks);
    }

    /** Learns that {@code engine} was sent {@code prompt}, so it now probably caches its prefix. */
    public void record(CharSequence prompt, Engine engine) {
        record(prompt, engine, 0, true);
    }

    /**
     * Learns that {@code engine} was sent {@code prompt} under vLLM's {@code cache_salt}: no other
     * request can reuse those blocks, so nothing becomes matchable, but they take room in the engine's
     * cache and push older prefixes out (blocks of the same salt, e.g. a workflow's own turns, reuse
     * each other as they do in vLLM).
     */
    public void recordIsolated(CharSequence prompt, Engine engine, String cacheSalt) {
        record(prompt, engine, Hashing.hash(cacheSalt == null ? "" : cacheSalt) | 1L, false);
    }

    private void record(CharSequence prompt, Engine engine, long seed, boolean shared) {
        int n = blocks(prompt);
        if (n == 0) return;
        long bit = bit(engine.id());
        long limit = capacityBlocks(engine);
        if (limit <= 0) {
            if (!shared) return;
            long h = 0;
            for (int b = 0; b < n; b++) {
                h = Hashing.hash(h, prompt, b * blockChars, (b + 1) * blockChars);
                segment(h).record(h, bit);
            }
            return;
        }
        ResidentBlocks r = resident.get(engine.id());
        if (r == null) {
            r = resident.computeIfAbsent(engine.id(), k -> new ResidentBlocks(1024, maxResidentBlocks));
        }
        // Full blocks past the indexed ones: the engine caches them too, the index cannot name them.
        int tail = prompt.length() / blockChars - n;
        long h = seed;
        int anchor = LruKeyTable.NIL;
        long anchorKey = 0;
        for (int b = 0; b < n; b++) {
            h = Hashing.hash(h, prompt, b * blockChars, (b + 1) * blockChars);
            int weight = b == n - 1 ? 1 + tail : 1;
            // Under the engine's lock so that its bit and its resident set change together.
            synchronized (r) {
                if (shared) segment(h).record(h, bit);
                anchor = r.touch(h, weight, anchor, anchorKey);
                anchorKey = h;
                while (r.over(limit)) {
                    if (r.shed(limit)) segment(r.shedKey).forget(r.shedKey, bit);
                }
            }
        }
    }

    /**
     * Index blocks {@code engine}'s KV cache holds ({@code tokens x chars per token / blockChars}), or 0
     * when its capacity is unknown or the index is not capacity-aware.
     */
    public long capacityBlocks(Engine engine) {
        if (!capacityAware) return 0;
        long tokens = engine.kvCacheTokens();
        if (tokens <= 0) return 0;
        double blocks = tokens * charsPerToken.of(engine) / blockChars;
        return (long) Math.max(1, Math.min(maxResidentBlocks, blocks));
    }

    /** Whether engines of known KV capacity forget what they have probably evicted ({@code caravan.routing.prefix.capacity-aware}). */
    public boolean capacityAware() { return capacityAware; }

    /** Index blocks {@code engine} is modelled to hold now (0 when its capacity is unknown). */
    public long residentBlocks(Engine engine) {
        ResidentBlocks r = resident.get(engine.id());
        if (r == null) return 0;
        synchronized (r) {
            return r.used();
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

    /**
     * Bytes held by the index arrays: the segments', allocated up front (the bound, not the current
     * use), plus the engines' resident blocks as they have grown so far.
     */
    public long footprintBytes() {
        long s = 0;
        for (Segment seg : segments) s += seg.footprintBytes();
        for (ResidentBlocks r : resident.values()) {
            synchronized (r) {
                s += r.footprintBytes();
            }
        }
        return s;
    }

    /** Prefix entries evicted because the budget was full. */
    public long evictions() {
        long s = 0;
        for (Segment seg : segments) s += seg.evictions();
        return s;
    }

    /** Blocks engines have been modelled to evict because their KV cache was full. */
    public long forgotten() {
        long s = 0;
        for (ResidentBlocks r : resident.values()) {
            synchronized (r) {
                s += r.forgotten();
            }
        }
        return s;
    }

    /**
     * Entries whose mask has {@code engine}'s bit: never more than the engine's resident entries when
     * its capacity is known (for tests; walks every segment under its lock).
     */
    long entriesWithBit(Engine engine) {
        Integer ord = ordinals.get(engine.id());
        if (ord == null) return 0;
        long bit = 1L << (ord & 63);
        long n = 0;
        for (Segment seg : segments) n += seg.countWith(bit);
        return n;
    }

    /** Entries (not blocks: an entry may stand for an unindexed tail too) resident for {@code engine}. */
    long residentEntries(Engine engine) {
        ResidentBlocks r = resident.get(engine.id());
        if (r == null) return 0;
        synchronized (r) {
            return r.live();
        }
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

        synchronized long countWith(long bit) {
            long n = 0;
            for (int s = lru; s != NIL; s = next[s]) if ((masks[s] & bit) != 0) n++;
            return n;
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
