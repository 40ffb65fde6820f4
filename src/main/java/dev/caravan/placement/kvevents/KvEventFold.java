package dev.caravan.placement.kvevents;

/** Where decoded KV events of one engine go; the arrays are the decoder's and valid only during the call. */
public interface KvEventFold {

    /**
     * A {@code BlockStored}: {@code n} blocks, {@code hashes[0..n)}, after {@code parentHash} when
     * {@code hasParent}; their tokens {@code tokens[0..n*blockSize)}; {@code extra[i]} nonzero when block
     * {@code i} was hashed with extra keys (null when no block was).
     */
    void stored(long[] hashes, int n, boolean hasParent, long parentHash, int[] tokens, int tokenCount,
                int blockSize, long[] extra);

    /** A {@code BlockRemoved} of {@code hashes[0..n)}. */
    void removed(long[] hashes, int n);

    /** An {@code AllBlocksCleared}. */
    void cleared();
}
