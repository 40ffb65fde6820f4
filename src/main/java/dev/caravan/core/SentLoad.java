package dev.caravan.core;

/**
 * The load a call met on its engine when the gateway sent it: what its latency is learnt against.
 *
 * @param othersInFlight     other calls the gateway had in flight on that engine
 * @param engineWaiting      the engine's own waiting queue, as last scraped
 * @param promptTokensBefore the engine's running count of prompt tokens sent to it before this call
 *                           (the difference at the end is the prefill that shared this call's decode)
 * @param prefillTokens      the prompt tokens this call probably has the engine compute
 * @param prefillQueuedAhead prompt tokens of calls sent there before it that had not started answering
 */
public record SentLoad(int othersInFlight, int engineWaiting, long promptTokensBefore, long prefillTokens,
                       long prefillQueuedAhead) {}
