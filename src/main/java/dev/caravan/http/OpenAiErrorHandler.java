package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.springframework.http.HttpStatus;

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
        HttpStatus http = HttpStatus.resolve(status);
        return switch (status) {
            case 404 -> GatewayException.notFound("not_found", null, "No such endpoint: " + path);
            case 405 -> new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                    "Method not allowed on " + path, null);
            case 413 -> GatewayException.tooLarge("Request body exceeds the limit of " + maxBodyBytes + " bytes");
            default -> new GatewayException(status, status < 500 ? "invalid_request_error" : "internal_error",
                    http == null ? "error" : http.name().toLowerCase(Locale.ROOT), null,
                    http == null ? "Request failed" : http.getReasonPhrase(), null);
        };
    }
}
