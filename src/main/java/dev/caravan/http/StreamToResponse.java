package dev.caravan.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a non-blocking stream (an engine's server-sent events) to the client with back-pressure,
 * and ends the response in as few socket writes as the stream allows.
 *
 * <p>Every write of a chunked response is its own system call and wakes the client. An engine sends
 * its last event ({@code data: [DONE]}) and the end of its response together, so a relay that writes
 * each buffer at once and then the end costs two writes where one would do. Here the latest buffer
 * is held until whichever comes first: the next buffer, the end of the stream (then it goes out with
 * the end in one write, with the headers too if nothing was written yet), or the end of the event
 * loop's current turn. A buffer therefore waits at most for the I/O the loop is already handling,
 * never for the engine's next token.
 */
final class StreamToResponse {

    private static final Logger LOG = LoggerFactory.getLogger(StreamToResponse.class);

    private final HttpServerResponse response;
    private final ReadStream<Buffer> stream;
    private final Promise<Void> done = Promise.promise();
    /** Writes the held buffer at the end of the loop's turn; one instance per stream, not one per token. */
    private final Handler<Void> flushAtEndOfTurn = v -> {
        this.flushScheduled = false;
        flushHeld();
    };
    private Buffer held;
    private boolean flushScheduled;

    private StreamToResponse(HttpServerResponse response, ReadStream<Buffer> stream) {
        this.response = response;
        this.stream = stream;
    }

    /** Starts the relay; the future completes when the response ended or the client went away. */
    static Future<Void> relay(HttpServerResponse response, ReadStream<Buffer> stream) {
        return new StreamToResponse(response, stream).start();
    }

    private Future<Void> start() {
        response.setChunked(true);
        response.closeHandler(v -> {
            held = null;
            ExchangeResponseWriter.closeQuietly(stream); // the client went away: cancel the engine request
            done.tryComplete();
        });
        stream.exceptionHandler(e -> {
            LOG.debug("Relayed stream failed: {}", e.toString());
            held = null;
            response.reset();
            ExchangeResponseWriter.closeQuietly(stream);
            done.tryComplete();
        });
        stream.endHandler(v -> {
            Buffer last = held;
            held = null;
            Future<Void> end = last == null ? response.end() : response.end(last);
            end.onComplete(r -> {
                ExchangeResponseWriter.closeQuietly(stream);
                done.tryComplete();
            });
        });
        stream.handler(this::onBuffer);
        return done.future();
    }

    private void onBuffer(Buffer buffer) {
        if (held != null) {
            write(held);
        }
        held = buffer;
        if (!flushScheduled) {
            Context context = Vertx.currentContext();
            if (context == null) { // not on an event loop: nothing to wait for
                flushHeld();
                return;
            }
            flushScheduled = true;
            context.runOnContext(flushAtEndOfTurn);
        }
    }

    private void flushHeld() {
        Buffer b = held;
        held = null;
        if (b != null && !response.ended() && !response.closed()) {
            write(b);
        }
    }

    private void write(Buffer buffer) {
        response.write(buffer);
        if (response.writeQueueFull()) {
            stream.pause();
            response.drainHandler(d -> stream.resume());
        }
    }
}
