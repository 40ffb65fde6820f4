package dev.caravan.core;

import dev.caravan.engines.Engine;

/**
 * What happened to one proxied request, from what the engine reported.
 *
 * @param status            HTTP status the engine answered (0 when it never answered)
 * @param responseId        the {@code id} of the engine's response (what a child names as parent_request_id), or null
 * @param promptTokens      usage.prompt_tokens, or -1 when the engine did not report usage
 * @param cachedTokens      usage.prompt_tokens_details.cached_tokens, or -1 when not reported
 * @param completionTokens  usage.completion_tokens, or -1
 * @param ttftNanos         time from sending a streamed request to the first body byte, or -1
 * @param durationNanos     time from sending the request to the end of the response
 * @param failedMidStream   the engine broke off a response that had already started
 * @param sentLoad          the load the call met on the engine when it was sent, or null
 */
public record RequestOutcome(
        PlacementRequest request,
        PlacementDecision decision,
        Engine engine,
        int status,
        String responseId,
        long promptTokens,
        long cachedTokens,
        long completionTokens,
        long ttftNanos,
        long durationNanos,
        boolean failedMidStream,
        SentLoad sentLoad) {}
