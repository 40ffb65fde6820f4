package dev.caravan.simulator;

/** One request inside the engine: what it asked for and how far it got. Mutated only under the engine lock. */
final class SimulatedSequence {

    enum State { WAITING, RUNNING, FINISHED, ABORTED }

    final int promptTokens;
    final int[] promptTokenIds;
    final int[] outputTokenIds;
    final String cacheSalt;
    final long[] blockHashes;
    final int maxTokens;
    final String finishReason;
    final int priority;
    final TokenSink sink;

    long arrivalOrder;
    long arrivalNanos;
    State state = State.WAITING;
    PrefixCache.Allocation allocation;
    int generated;
    long nextTokenAtNanos;
    long lastTokenAtNanos;
    /** Chunked-prefill profile only: prompt tokens still to prefill (0 = decoding). */
    int prefillRemaining;
    /** Chunked-prefill profile only: earliest step start at which its first chunk may be scheduled. */
    long prefillReadyAtNanos;
    /** Chunked-prefill profile only: tokens it was given in the step in progress. */
    int stepTokens;

    SimulatedSequence(int[] promptTokenIds, int[] outputTokenIds, String cacheSalt, long[] blockHashes,
                      String finishReason, int priority, TokenSink sink) {
        this.promptTokens = promptTokenIds.length;
        this.promptTokenIds = promptTokenIds;
        this.outputTokenIds = outputTokenIds;
        this.cacheSalt = cacheSalt;
        this.blockHashes = blockHashes;
        this.maxTokens = outputTokenIds.length;
        this.finishReason = finishReason;
        this.priority = priority;
        this.sink = sink;
    }

    /** Full-block hashes of the prompt plus the tokens generated so far. */
    long[] finalBlockHashes(PrefixCache cache) {
        return cache.extendHashes(blockHashes, promptTokenIds, outputTokenIds, generated, cacheSalt);
    }

    int cachedTokens() {
        return allocation == null ? 0 : allocation.cachedTokens();
    }
}
