package dev.caravan.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * How the API port's own Vert.x handlers (before any route) refuse a request: counted as
 * {@code caravan_error_responses_total{route="none"}}, the error's status, its Retry-After when it has
 * one, and the OpenAI error body, as {@code routes/errors.camel.yaml} answers on a route. Headers of the
 * handler's own (WWW-Authenticate, Connection) are put on the response before.
 */
final class ErrorAnswer {

    private final ObjectMapper mapper;
    private final ErrorResponseMetrics metrics;

    ErrorAnswer(ObjectMapper mapper, ErrorResponseMetrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    void end(HttpServerResponse response, GatewayException error) {
        metrics.answered(ErrorResponseMetrics.NO_ROUTE, error.status(), error.code());
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        if (error.retryAfterSeconds() != null) {
            response.putHeader("Retry-After", error.retryAfterSeconds().toString());
        }
        try {
            response.end(Buffer.buffer(mapper.writeValueAsBytes(OpenAiErrorResponse.body(mapper, error))));
        } catch (JsonProcessingException e) {
            response.end();
        }
    }
}
