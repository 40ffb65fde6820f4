package dev.caravan.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.http.HttpUtil;
import org.apache.camel.support.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a finished exchange as the HTTP response: status, the headers the filter lets through,
 * and the body. Three kinds of body:
 * <ul>
 * <li>bytes or text: written whole with a Content-Length;</li>
 * <li>a Vert.x {@link ReadStream} (a relayed engine stream, {@link StreamToResponse}): each buffer is
 * written as it arrives (within the event loop's turn), with back-pressure (the engine is paused
 * while the client's socket is full); if the client goes away the stream is closed when it is
 * {@link Closeable}, which cancels the engine request;</li>
 * <li>a blocking {@link InputStream} (an agent message stream fed by a JMS consumer): read on the
 * request executor, never on an event loop, and each read written and flushed before the next
 * read, so a message is taken from the queue only once the previous event went out.</li>
 * </ul>
 */
final class ExchangeResponseWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeResponseWriter.class);
    private static final byte[] INTERNAL_ERROR = ("{\"error\":{\"message\":\"The gateway failed to process the request\","
            + "\"type\":\"internal_error\",\"param\":null,\"code\":\"internal_error\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Executor blockingExecutor;

    ExchangeResponseWriter(Executor blockingExecutor) {
        this.blockingExecutor = blockingExecutor;
    }

    Future<Void> write(RoutingContext ctx, Exchange exchange, HeaderFilterStrategy filter) {
        HttpServerResponse response = ctx.response();
        Object body = null;
        try {
            if (response.ended() || response.closed()) {
                closeQuietly(exchange.getMessage().getBody());
                return Future.succeededFuture();
            }
            if (exchange.getException() != null) {
                // Every route answers its errors itself (routes/errors.camel.yaml); an exception left
                // here is a gateway bug, and its stack trace is not for the client.
                LOG.error("Unhandled failure on route {}", exchange.getFromRouteId(), exchange.getException());
                closeQuietly(exchange.getMessage().getBody()); // a relayed stream: cancel it and free its engine slot
                return response.setStatusCode(500).putHeader("Content-Type", "application/json")
                        .end(Buffer.buffer(INTERNAL_ERROR));
            }
            Message message = exchange.getMessage();
            body = message.getBody();
            response.setStatusCode(HttpUtil.determineResponseCode(exchange, body));
            copyHeaders(ctx, message, filter, exchange);
            String contentType = ExchangeHelper.getContentType(exchange);
            if (contentType != null) {
                response.putHeader("Content-Type", contentType);
            }
            // Camel's HTTP header filter drops Cache-Control along with the transport headers, but it
            // is the answer's own: the event streams set no-cache so no proxy on the way holds them.
            String cacheControl = message.getHeader("Cache-Control", String.class);
            if (cacheControl != null) {
                response.putHeader("Cache-Control", cacheControl);
            }
            if (body == null) {
                return response.end();
            }
            if (body instanceof byte[] bytes) {
                return response.end(Buffer.buffer(bytes));
            }
            if (body instanceof String s) {
                return response.end(s);
            }
            if (body instanceof Buffer b) {
                return response.end(b);
            }
            if (body instanceof ReadStream<?> stream) {
                @SuppressWarnings("unchecked")
                ReadStream<Buffer> buffers = (ReadStream<Buffer>) stream;
                return StreamToResponse.relay(response, buffers);
            }
            if (body instanceof InputStream in) {
                return pump(response, in);
            }
            byte[] bytes = exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, body);
            return response.end(Buffer.buffer(bytes));
        } catch (Exception e) {
            closeQuietly(body);
            if (!response.headWritten()) {
                response.setStatusCode(500);
                response.headers().clear();
                return response.putHeader("Content-Type", "application/json").end(Buffer.buffer(INTERNAL_ERROR));
            }
            response.reset();
            return Future.failedFuture(e);
        }
    }

    private static void copyHeaders(RoutingContext ctx, Message message, HeaderFilterStrategy filter, Exchange exchange) {
        HttpServerResponse response = ctx.response();
        Map<String, String> pathParams = ctx.pathParams();
        TypeConverter tc = exchange.getContext().getTypeConverter();
        for (Map.Entry<String, Object> entry : message.getHeaders().entrySet()) {
            String key = entry.getKey();
            if (pathParams.containsKey(key)) {
                continue; // path parameters are the request's, not the answer's
            }
            if (key.regionMatches(true, 0, "JMS", 0, 3)) {
                continue; // a broker message's own headers; Camel's HTTP filter only knows Camel's
            }
            Iterator<?> it = ObjectHelper.createIterator(entry.getValue(), null, true);
            HttpUtil.applyHeader(filter, exchange, it, tc, key, (values, first) -> {
                if (values != null) {
                    response.putHeader(key, values);
                } else if (first != null) {
                    response.putHeader(key, first);
                }
            });
        }
    }

    /** A blocking stream: read on the executor, each read written and flushed before the next. */
    private Future<Void> pump(HttpServerResponse response, InputStream in) {
        Promise<Void> done = Promise.promise();
        response.setChunked(true);
        // Closing a JMS-fed stream talks to the broker: not on the event loop that reports the close.
        response.closeHandler(v -> {
            try {
                blockingExecutor.execute(() -> closeQuietly(in));
            } catch (RejectedExecutionException e) {
                LOG.debug("Stream not closed early, the executor is shutting down");
            }
        });
        try {
            blockingExecutor.execute(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while (!response.closed() && (n = in.read(buf)) >= 0) {
                        if (n > 0) {
                            response.write(Buffer.buffer(n).appendBytes(buf, 0, n)).toCompletionStage().toCompletableFuture().get();
                        }
                    }
                    if (!response.closed()) {
                        response.end();
                    }
                } catch (IOException | ExecutionException e) {
                    LOG.debug("Streamed response ended: {}", e.toString());
                    response.reset();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    response.reset();
                } finally {
                    done.tryComplete();
                }
            });
        } catch (RejectedExecutionException e) {
            closeQuietly(in);
            response.reset();
            done.tryComplete();
        }
        return done.future();
    }

    static void closeQuietly(Object body) {
        if (body instanceof Closeable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing a response body failed: {}", e.toString());
            }
        }
    }
}
