package dev.caravan.placement.prefix;

import dev.caravan.engines.Engine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Which engine holds which KV block, as the engines themselves report it (vLLM KV events): the
 * precise counterpart of {@link PrefixIndex}. Decides how many leading blocks of a tokenised prompt
 * each engine holds now.
 *
 * <p>Blocks are keyed by our own chain key over token ids ({@link #chainKeys}: block {@code i}'s key
 * mixes block {@code i-1}'s key, the block size and the block's tokens), computed from the token ids
 * every {@code BlockStored} carries. So the gateway needs neither vLLM's hash function nor its
 * {@code PYTHONHASHSEED}/{@code NONE_HASH} seed: a prompt tokenised by the engine's tokenizer is
 * matched by recomputing the keys. vLLM's own block hashes (bytes or ints, whatever the engine's
 * hash setting) are only mapped to our keys per engine, because {@code BlockRemoved} carries nothing
 * else and a {@code BlockStored}'s parent is named by its hash. A block stored with extra keys
 * (LoRA, {@code cache_salt}, multimodal inputs) gets a key no plain prompt reproduces, so it never
 * matches one: correct for isolated caches, a missed match for LoRA prompts (documented).
 *
 * <p>Bounded: at most {@code maxBlocks} keys globally (each a 64-bit mask of the engines holding it;
 * more than 64 engines share bits as in {@link PrefixIndex}) and per engine at most {@code maxBlocks}
 * hash mappings, least recently stored out first. Reads take a read lock and never wait for a
 * network call; the event threads hold the write lock for one batch at a time.
 */
public final class KvBlockIndex {

    /** Bytes per block held by one engine: the global entry (key, mask, LRU links, 2 table slots) plus its hash mapping. */
    public static final int BYTES_PER_BLOCK = (8 + 8 + 4 + 4 + 2 * 4) + (8 + 8 + 4 + 4 + 2 * 4);

    private static final long ROOT = 0x6a09e667f3bcc908L;

    private final int maxBlocks;
    private final Blocks blocks;
    private final Map<String, EngineHashes> byEngine = new HashMap<>();
    private final ConcurrentHashMap<String, Integer> ordinals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> blockSizes = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long storedBlocks;
    private long removedBlocks;
    private long orphanBlocks;
    private long evictions;

    public KvBlockIndex(int maxBlocks) {
        if (maxBlocks <= 0) throw new IllegalArgumentException("max-blocks must be positive, got " + maxBlocks);
        this.maxBlocks = maxBlocks;
        this.blocks = new Blocks(Math.min(maxBlocks, 1 << 12));
    }

    /**
     * Chain keys of the full blocks of {@code tokens} at {@code blockSize}, as {@link #stored} keys
     * them; a partial last block has none (vLLM caches full blocks only).
     */
    public static long[] chainKeys(int[] tokens, int blockSize) {
        long[] keys = new long[tokens.length / blockSize];
        long parent = root(blockSize);
        for (int b = 0; b < keys.length; b++) {
            parent = blockKey(parent, tokens, b * blockSize, blockSize, 0);
            keys[b] = parent;
        }
        return keys;
    }

    private static long root(int blockSize) {
        return Hashing.mix(ROOT ^ blockSize);
    }

    private static long blockKey(long parent, int[] tokens, int from, int blockSize, long extra) {
        long h = Hashing.mix(parent ^ extra);
        for (int k = from, end = from + blockSize; k < end; k++) {
            h = Hashing.mix(h ^ (tokens[k] & 0xffffffffL));
        }
        return h;
    }

    /**
     * Folds a {@code BlockStored}: blocks {@code hashes[0..n)} chained after {@code parentHash}
     * (the first block of a prompt when {@code hasParent} is false), their tokens
     * {@code tokens[0..tokenCount)}. {@code extra[i]} is nonzero when block {@code i} was hashed with
     * extra keys (null: none had any). A parent this engine never reported (a stream joined late,
     * or one the index evicted) leaves the blocks out: their prefix cannot be matched anyway.
     */
    public void stored(String engineId, long[] hashes, int n, boolean hasParent, long parentHash,
                       int[] tokens, int tokenCount, int blockSize, long[] extra) {
        blockSizes.put(engineId, blockSize);
        long bit = bit(engineId);
        lock.writeLock().lock();
        try {
            EngineHashes own = hashesOf(engineId);
            long parent = root(blockSize);
            if (hasParent) {
                int s = own.slotOf(parentHash);
                if (s == LruKeyTable.NIL) {
                    orphanBlocks += n;
                    return;
                }
                parent = own.chain[s];
            }
            for (int i = 0; i < n && (i + 1) * blockSize <= tokenCount; i++) {
                long key = blockKey(parent, tokens, i * blockSize, blockSize, extra == null ? 0 : extra[i]);
                blocks.hold(key, bit);
                own.map(hashes[i], key);
                parent = key;
                storedBlocks++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Folds a {@code BlockRemoved}: the engine no longer holds these blocks. */
    public void removed(String engineId, long[] hashes, int n) {
        long bit = bit(engineId);
        lock.writeLock().lock();
        try {
            EngineHashes own = byEngine.get(engineId);
            if (own == null) return;
            for (int i = 0; i < n; i++) {
                int s = own.slotOf(hashes[i]);
                if (s == LruKeyTable.NIL) continue;
                long key = own.chain[s];
                own.remove(s);
                blocks.release(key, bit);
                removedBlocks++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Folds an {@code AllBlocksCleared}, or forgets an engine whose stream restarted from scratch. */
    public void cleared(String engineId) {
        long bit = bit(engineId);
        lock.writeLock().lock();
        try {
            EngineHashes own = byEngine.remove(engineId);
            if (own == null) return;
            for (int s = own.lru; s != LruKeyTable.NIL; s = own.next[s]) {
                blocks.release(own.chain[s], bit);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Leading blocks of the prompt each candidate holds, in tokens ({@code out[i]} for candidate
     * {@code i}); 0 for an engine that has reported no block yet.
     */
    public void matchedTokens(int[] promptTokens, List<Engine> candidates, int[] out) {
        int n = candidates.size();
        long[] keys = null;
        int keysBlockSize = -1;
        lock.readLock().lock();
        try {
            for (int i = 0; i < n; i++) {
                Engine e = candidates.get(i);
                Integer bs = blockSizes.get(e.id());
                if (bs == null) { out[i] = 0; continue; }
                if (bs != keysBlockSize) {
                    keys = chainKeys(promptTokens, bs);
                    keysBlockSize = bs;
                }
                long bit = bit(e.id());
                int m = 0;
                while (m < keys.length && (blocks.mask(keys[m]) & bit) != 0) m++;
                out[i] = m * bs;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The block size an engine's events reported, or 0 before its first {@code BlockStored}. */
    public int blockSize(String engineId) {
        return blockSizes.getOrDefault(engineId, 0);
    }

    /** Blocks (distinct chain keys) in the index. */
    public long size() {
        lock.readLock().lock();
        try {
            return blocks.live();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Blocks one engine holds according to the index. */
    public long blocksOf(String engineId) {
        lock.readLock().lock();
        try {
            EngineHashes own = byEngine.get(engineId);
            return own == null ? 0 : own.live();
        } finally {
            lock.readLock().unlock();
        }
    }

    public long storedBlocks() { return storedBlocks; }
    public long removedBlocks() { return removedBlocks; }
    /** Blocks left out because their parent was unknown. */
    public long orphanBlocks() { return orphanBlocks; }
    /** Blocks the {@code max-blocks} budget pushed out (least recently stored first). */
    public long evictions() { return evictions; }
    public int maxBlocks() { return maxBlocks; }

    /** Bytes held by the index's arrays now. */
    public long footprintBytes() {
        lock.readLock().lock();
        try {
            long bytes = blocks.baseFootprintBytes() + 8L * blocks.masks.length;
            for (EngineHashes h : byEngine.values()) bytes += h.baseFootprintBytes() + 8L * h.chain.length;
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    private EngineHashes hashesOf(String engineId) {
        return byEngine.computeIfAbsent(engineId, k -> new EngineHashes(Math.min(maxBlocks, 1 << 10)));
    }

    private long bit(String engineId) {
        Integer ord = ordinals.get(engineId);
        if (ord == null) ord = ordinals.computeIfAbsent(engineId, k -> ordinals.size());
        return 1L << (ord & 63);
    }

    private int grownSize(LruKeyTable t) {
        return (int) Math.min(maxBlocks, Math.max(16L, 2L * t.slots()));
    }

    /** Chain key -> mask of engines holding it, least recently stored first. */
    private final class Blocks extends LruKeyTable {
        long[] masks;

        Blocks(int slots) {
            super(slots);
            masks = new long[slots()];
        }

        @Override
        void resized(int slots) { masks = java.util.Arrays.copyOf(masks, slots); }

        long mask(long key) {
            int s = slotOf(key);
            return s == NIL ? 0 : masks[s];
        }

        void hold(long key, long bit) {
            int s = slotOf(key);
            if (s == NIL) {
                if (full() && slots() >= maxBlocks) {
                    remove(lru);
                    evictions++;
                }
                s = add(key, grownSize(this));
                masks[s] = bit;
            } else {
                unlink(s);
                masks[s] |= bit;
            }
            linkMru(s);
        }

        void release(long key, long bit) {
            int s = slotOf(key);
            if (s == NIL) return;
            masks[s] &= ~bit;
            if (masks[s] == 0) remove(s);
        }
    }

    /** One engine's vLLM block hash -> our chain key, least recently stored first. */
    private final class EngineHashes extends LruKeyTable {
        long[] chain;

        EngineHashes(int slots) {
            super(slots);
            chain = new long[slots()];
        }

        @Override
        void resized(int slots) { chain = java.util.Arrays.copyOf(chain, slots); }

        void map(long hash, long key) {
            int s = slotOf(hash);
            if (s == NIL) {
                if (full() && slots() >= maxBlocks) remove(lru);
                s = add(hash, grownSize(this));
            } else {
                unlink(s);
            }
            chain[s] = key;
            linkMru(s);
        }
    }
}
