package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before any route on the API port's protected paths: a request without an accepted
 * {@code Authorization: Bearer} key gets OpenAI's 401 ({@code invalid_api_key}); an accepted one goes
 * on without its Authorization header, so the client's key is never forwarded to an engine (engines
 * get their own {@code caravan.engines[i].api-key}) nor seen by any route or log.
 */
final class ApiKeyCheck implements Handler<RoutingContext> {

    private final ApiKeys keys;
    private final ErrorAnswer answer;

    ApiKeyCheck(ApiKeys keys, ObjectMapper mapper, ErrorResponseMetrics metrics) {
        this.keys = keys;
        this.answer = new ErrorAnswer(mapper, metrics);
    }

    /** Routing-context key under which an accepted request carries its key's id (for per-key limits). */
    static final String KEY_ID = "caravan.apiKeyId";
    /** Routing-context key set (to true) when the accepted key is an admin key. */
    static final String KEY_ADMIN = "caravan.apiKeyAdmin";

    @Override
    public void handle(RoutingContext ctx) {
        String authorization = ctx.request().getHeader("Authorization");
        String id = keys.idOf(authorization);
        if (id != null) {
            ctx.request().headers().remove("Authorization");
            ctx.put(KEY_ID, id);
            if (keys.isAdmin(id)) {
                ctx.put(KEY_ADMIN, Boolean.TRUE);
            }
            ctx.next();
            return;
        }
        GatewayException error = new GatewayException(401, "invalid_request_error", "invalid_api_key", null,
                authorization == null
                        ? "You didn't provide an API key: send it as 'Authorization: Bearer <key>'"
                        : "Incorrect API key provided", null);
        answer.end(ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"caravan\""), error);
    }
}
