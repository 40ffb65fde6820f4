package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * What the API port answers on its own, before any route runs (no route for the path, a method the
 * route does not take, a body over {@code caravan.max-body-size}, a request it could not read): the
 * same OpenAI error format as the routes, instead of Vert.x's plain-text page.
 */
final class OpenAiErrorHandler implements Handler<RoutingContext> {

    private final long maxBodyBytes;
    private final ErrorAnswer answer;

    OpenAiErrorHandler(ObjectMapper mapper, long maxBodyBytes, ErrorResponseMetrics metrics) {
        this.maxBodyBytes = maxBodyBytes;
        this.answer = new ErrorAnswer(mapper, metrics);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten() || response.closed()) {
            return;
        }
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        answer.end(response, error(status, ctx.normalizedPath(), maxBodyBytes));
    }

    static GatewayException error(int status, String path, long maxBodyBytes) {
        return switch (status) {
            case 404 -> GatewayException.notFound("not_found", null, "No such endpoint: " + path);
            case 405 -> new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                    "Method not allowed on " + path, null);
            case 413 -> GatewayException.tooLarge("Request body exceeds the limit of " + maxBodyBytes + " bytes");
            default -> OpenAiErrorResponse.forStatus(status, null);
        };
    }
}
