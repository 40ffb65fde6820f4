package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The answer to a request whose head the HTTP decoder could not read: a request line over
 * {@link RequestHeadLimits#maxRequestLineBytes()} (414), headers over
 * {@link RequestHeadLimits#maxHeaderBytes()} (431), or anything else that is not HTTP/1.x (400). Vert.x'
 * default sends the bare status; this one sends the OpenAI error body naming the limit, like every other
 * refusal. No route ever sees such a request, so it answers on the event loop itself, and closes the
 * connection: what follows on it cannot be told apart from the rest of the broken request. The three
 * errors depend only on the limits, so they are made once: a flood of broken heads costs no exception
 * (and stack trace) each.
 */
final class InvalidRequestHandler implements Handler<HttpServerRequest> {

    private final ErrorAnswer answer;
    private final GatewayException lineTooLong;
    private final GatewayException headersTooLarge;
    private final GatewayException malformed;

    InvalidRequestHandler(ObjectMapper mapper, ErrorResponseMetrics metrics, RequestHeadLimits limits) {
        this.answer = new ErrorAnswer(mapper, metrics);
        this.lineTooLong = new GatewayException(414, "invalid_request_error", "request_uri_too_long", null,
                "The request line (method, path and query) exceeds the limit of " + limits.maxRequestLineBytes()
                        + " bytes", null);
        this.headersTooLarge = new GatewayException(431, "invalid_request_error", "request_header_fields_too_large", null,
                "The request headers exceed the limit of " + limits.maxHeaderBytes() + " bytes in total", null);
        this.malformed = new GatewayException(400, "invalid_request_error", "invalid_request", null,
                "The request is not valid HTTP/1.1 (malformed request line or headers)", null);
    }

    @Override
    public void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response().putHeader("Connection", "close");
        answer.end(response, error(request.decoderResult().cause()));
        response.close();
    }

    GatewayException error(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) return lineTooLong;
        if (cause instanceof TooLongHttpHeaderException) return headersTooLarge;
        return malformed;
    }
}
