package dev.caravan.simulator;

/** One request inside the engine: what it asked for and how far it got. Mutated only under the engine lock. */
final class SimulatedSequence {

    enum State { WAITING, RUNNING, FINISHED, ABORTED }

    final int promptTokens;
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

    SimulatedSequence(int promptTokens, long[] blockHashes, int maxTokens, String finishReason, int priority,
                      TokenSink sink) {
        this.promptTokens = promptTokens;
        this.blockHashes = blockHashes;
        this.maxTokens = maxTokens;
        this.finishReason = finishReason;
        this.priority = priority;
        this.sink = sink;
    }

    int cachedTokens() {
        return allocation == null ? 0 : allocation.cachedTokens();
    }
}
