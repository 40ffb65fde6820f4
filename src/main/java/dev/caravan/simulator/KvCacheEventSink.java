package dev.caravan.simulator;

/**
 * What the prefix cache tells about its blocks, as vLLM's KV cache manager emits
 * {@code BlockStored}, {@code BlockRemoved} and {@code AllBlocksCleared}. Called under the engine's
 * lock, so an implementation only copies what it needs and returns.
 */
interface KvCacheEventSink {

    KvCacheEventSink NONE = new KvCacheEventSink() {
        @Override public void stored(long[] hashes, int from, int to, int[] prompt, int[] output, String salt, int blockSize) { }
        @Override public void removed(long hash) { }
        @Override public void cleared() { }
    };

    /**
     * Blocks {@code from..to-1} of a chain became cached; block {@code k}'s tokens are positions
     * {@code k*blockSize..} of {@code prompt} followed by {@code output}. The parent is block
     * {@code from-1} (none for the first block of a prompt).
     */
    void stored(long[] hashes, int from, int to, int[] prompt, int[] output, String cacheSalt, int blockSize);

    void removed(long hash);

    void cleared();
}
