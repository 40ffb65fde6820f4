package dev.caravan.simulator;

/**
 * Receives a sequence's progress from the engine. Called under the engine lock, so an
 * implementation must only record and hand off, never block or call back into the engine.
 */
interface TokenSink {

    /** Output tokens {@code [0, available)} now exist. */
    void tokensAvailable(int available);

    /** The sequence ended normally with {@code finishReason} after all its tokens were made available. */
    void finished(String finishReason, int cachedTokens);
}
