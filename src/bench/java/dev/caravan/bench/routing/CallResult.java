package dev.caravan.bench.routing;

/**
 * What the client saw of one call.
 *
 * @param startMs       send time, ms since the workload started
 * @param ttftMs        time to the first content token at the client, or -1
 * @param e2eMs         time to the end of the stream
 * @param status        HTTP status, 0 when the connection failed
 * @param responseId    the response's {@code id} (what a child names as {@code parent_request_id})
 * @param engine        the gateway's {@code x-caravan-engine} header, or null
 * @param placement     the gateway's {@code x-caravan-placement} header, or null
 * @param promptTokens  usage.prompt_tokens, or -1
 * @param cachedTokens  usage.prompt_tokens_details.cached_tokens, or -1
 */
public record CallResult(String session, String phase, double startMs, double ttftMs, double e2eMs, int status,
                         String responseId, String engine, String placement, long promptTokens, long cachedTokens) {

    public boolean ok() { return status == 200 && ttftMs >= 0; }
}
