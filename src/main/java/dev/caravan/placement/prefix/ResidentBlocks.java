package dev.caravan.placement.prefix;

/**
 * The prefix-index blocks one engine probably still holds in its KV cache, least recently used
 * first out, bounded by the engine's capacity in index blocks.
 *
 * <p>This mirrors how vLLM evicts: cached blocks no request uses are freed least recently released
 * first, and a finished request's blocks are released tail first, so a prompt's head outlives its
 * tail. Here the blocks of one recorded prompt are therefore ordered head most recent: each block is
 * linked just below the previous block of the same prompt ({@link #touch}'s anchor).
 *
 * <p>An entry stands for {@code weight} blocks of the engine's cache: 1 for its own block, plus, for
 * the last indexed block of a prompt longer than the index looks at ({@code max-blocks}), the blocks
 * of the prompt's unindexed tail, which the engine caches as well. An entry keeps the largest weight
 * seen while resident (a conversation that grows by turns re-sends the same tail and more). Tail
 * weight is shed before the entry itself, as vLLM evicts a request's tail before its head.
 *
 * <p>Not thread-safe: {@link PrefixIndex} holds this object's monitor for each block's few array
 * operations, never across I/O. Arrays grow by doubling up to {@code maxSlots + 1} slots and then
 * stay: recording allocates nothing once an engine's working set has been seen.
 */
final class ResidentBlocks extends LruKeyTable {

    private final int maxSlots;
    private int[] weights;
    private long used;
    private long forgotten;
    /** The key of the entry the last successful {@link #shed} removed. */
    long shedKey;

    /**
     * @param initialSlots slots allocated at first
     * @param maxSlots     entries held at most (the caller's limit never exceeds it); one more slot is
     *                     kept so that a new key fits before the caller sheds
     */
    ResidentBlocks(int initialSlots, int maxSlots) {
        super(Math.min(initialSlots, maxSlots + 1));
        this.maxSlots = maxSlots;
        this.weights = new int[slots()];
    }

    @Override
    void resized(int slots) {
        weights = java.util.Arrays.copyOf(weights, slots);
    }

    /**
     * Marks {@code key} as just used and returns its slot.
     *
     * @param weight    cache blocks the entry stands for (1 + unindexed tail)
     * @param anchor    slot of the previous block of the same prompt, or {@link #NIL} for its first
     *                  block (linked most recent); the block is linked just below the anchor, or least
     *                  recent of all when the anchor no longer holds {@code anchorKey} (it was shed
     *                  meanwhile: this prompt is already the oldest content)
     */
    int touch(long key, int weight, int anchor, long anchorKey) {
        int s = slotOf(key);
        if (s == NIL) {
            s = add(key, (int) Math.min(maxSlots + 1L, Math.max(16L, 2L * slots())));
            weights[s] = weight;
            used += weight;
        } else {
            unlink(s);
            if (weight > weights[s]) {
                used += weight - weights[s];
                weights[s] = weight;
            }
        }
        if (anchor == NIL) linkMru(s);
        else if (anchor != s && weights[anchor] > 0 && keys[anchor] == anchorKey) linkBelow(s, anchor);
        else linkLru(s);
        return s;
    }

    /** Whether more than {@code limit} blocks are held. */
    boolean over(long limit) { return used > Math.min(limit, maxSlots); }

    /**
     * One step of shedding the least recently used weight while {@link #over}: either part of the
     * oldest entry's unindexed tail (returns false), or the whole oldest entry (returns true, its key
     * in {@link #shedKey}: the engine no longer holds that prefix).
     */
    boolean shed(long limit) {
        int s = lru;
        long excess = used - Math.min(limit, maxSlots);
        if (weights[s] > excess) {
            weights[s] -= (int) excess;
            used -= excess;
            return false;
        }
        shedKey = keys[s];
        used -= weights[s];
        weights[s] = 0; // marks the slot free for anchors
        remove(s);
        forgotten++;
        return true;
    }

    /** Cache blocks held (the sum of weights). */
    long used() { return used; }

    /** Entries shed so far. */
    long forgotten() { return forgotten; }

    long footprintBytes() { return baseFootprintBytes() + 4L * weights.length; }
}
