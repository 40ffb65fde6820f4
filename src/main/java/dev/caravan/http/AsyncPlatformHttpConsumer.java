package dev.caravan.http;

import dev.caravan.core.CallerKey;
import dev.caravan.core.ClientDisconnect;
import dev.caravan.proxy.ForwardToEngine;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;

/**
 * Camel's Vert.x platform-http consumer with two changes that a proxy needs.
 *
 * <p>Camel's own consumer runs the route synchronously on the Vert.x worker pool
 * ({@code executeBlocking}, 20 threads by default) and holds that thread until the route is done,
 * so a route step that waits for an engine occupies a worker for the whole wait; and it copies an
 * {@code InputStream} body through {@code AsyncInputStream}, which fills an 8 KB buffer before it
 * writes, so server-sent events would arrive in batches. Here the route runs asynchronously: it
 * starts on the request executor (route steps may block: admission waits, JMS sends, long polls),
 * an asynchronous step (the engine call) releases that thread, and the response is written when
 * the route calls back, by {@link ExchangeResponseWriter}, event by event for streams. Routes whose
 * steps never block run on the connection's event loop instead (no route executor given).
 *
 * <p>Route registration, path parameters, body handling and header mapping are Camel's.
 */
final class AsyncPlatformHttpConsumer extends VertxPlatformHttpConsumer {

    /** Where routes start; null: on the connection's event loop. */
    private final Executor routeExecutor;
    private final ExchangeResponseWriter writer;

    AsyncPlatformHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
                              String routerName, Executor routeExecutor, ExchangeResponseWriter writer) {
        super(endpoint, processor, handlers, routerName);
        this.routeExecutor = routeExecutor;
        this.writer = writer;
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503).end();
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        // The connection's event loop: the response is written there, whatever thread the route ends on.
        Context connection = Vertx.currentContext();
        // Replaced by the stream writers once an answer streams (they close the stream instead).
        ClientDisconnect client = new ClientDisconnect();
        ctx.response().closeHandler(v -> client.disconnected());
        client.attachTo(exchange);
        // A typed property, not a header: nothing a client sends can name a key, and it is never forwarded.
        String keyId = ctx.get(ApiKeyCheck.KEY_ID);
        if (keyId != null) {
            new CallerKey(keyId, Boolean.TRUE.equals(ctx.get(ApiKeyCheck.KEY_ADMIN))).attachTo(exchange);
        }
        processHttpRequest(exchange, ctx).onComplete(populated -> {
            if (populated.failed()) {
                fail(exchange, ctx, populated.cause());
                return;
            }
            // The raw bytes, whatever the Content-Type said: the API speaks JSON only, and Camel's
            // body handling leaves the body empty for a form (curl -d labels JSON as a form).
            Buffer body = ctx.body().buffer();
            exchange.getIn().setBody(body == null ? null : body.getBytes());
            ForwardToEngine.callerContext(exchange, connection);
            if (routeExecutor == null) {
                route(exchange, ctx, connection);
                return;
            }
            try {
                routeExecutor.execute(() -> route(exchange, ctx, connection));
            } catch (RejectedExecutionException e) {
                fail(exchange, ctx, e);
            }
        });
    }

    private void route(Exchange exchange, RoutingContext ctx, Context connection) {
        try {
            createUoW(exchange);
        } catch (Exception e) {
            fail(exchange, ctx, e);
            return;
        }
        getAsyncProcessor().process(exchange, doneSync -> {
            // Written from the connection's own event loop: written from another thread, the response
            // and the next request on a keep-alive connection wait for that loop to notice (measured:
            // one request per ~60 ms on one connection instead of a few ms).
            if (connection == null || Vertx.currentContext() == connection) {
                respond(exchange, ctx);
            } else {
                connection.runOnContext(v -> respond(exchange, ctx));
            }
        });
    }

    private void respond(Exchange exchange, RoutingContext ctx) {
        writer.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy()).onComplete(written -> {
            if (written.failed()) {
                getExceptionHandler().handleException("Writing the response failed", exchange, written.cause());
            }
            done(exchange);
        });
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(), failure);
        if (!ctx.response().ended()) {
            ctx.fail(failure);
        }
        done(exchange);
    }

    private void done(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
