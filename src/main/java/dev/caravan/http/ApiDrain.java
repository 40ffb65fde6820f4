package dev.caravan.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import dev.caravan.core.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the API requests whose answer has not ended (a stream until its last event, a long poll
 * until it returns), and once shutdown has begun answers every new request 503
 * ({@code server_shutting_down}, {@code Connection: close}, {@code Retry-After}) so clients and load
 * balancers go elsewhere while those in flight finish. {@code /health} answers 503 too, which takes
 * the pod out of its Service.
 */
final class ApiDrain implements Handler<RoutingContext> {

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final byte[] refusal;

    ApiDrain(ObjectMapper mapper) {
        GatewayException error = new GatewayException(503, "server_error", "server_shutting_down", null,
                "The gateway is shutting down; retry on another replica", 1);
        try {
            this.refusal = mapper.writeValueAsBytes(OpenAiErrorResponse.body(mapper, error));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (draining.get()) {
            HttpServerResponse response = ctx.response().setStatusCode(503)
                    .putHeader("Content-Type", "application/json").putHeader("Retry-After", "1")
                    .putHeader("Connection", "close");
            response.end(Buffer.buffer(refusal));
            return;
        }
        open.incrementAndGet();
        ctx.addEndHandler(done -> open.decrementAndGet()); // ended, or the connection went away
        ctx.next();
    }

    /** From now on new requests are refused. */
    void begin() {
        draining.set(true);
    }

    boolean draining() {
        return draining.get();
    }

    /** API requests still being answered. */
    int open() {
        return open.get();
    }
}
