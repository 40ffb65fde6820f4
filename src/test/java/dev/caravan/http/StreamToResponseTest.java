package dev.caravan.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream relay to the client, over a real socket: the last buffer leaves with the end of the
 * response in one socket write (counted as flushes of the server connection), a buffer never waits
 * for the next one, and a slow client pauses the stream.
 */
class StreamToResponseTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theLastBufferGoesOutWithTheEndOfTheResponseInOneWrite() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        int port = serve(flushes, (stream, context) -> {
            stream.push(Buffer.buffer("data: a\n\n"));
            context.runOnContext(v -> { // a later turn of the loop: the engine's next token
                stream.push(Buffer.buffer("data: [DONE]\n\n"));
                stream.end(); // the engine's last event and its end arrive together
            });
        });
        String response = get(port, true);
        assertThat(response).startsWith("HTTP/1.1 200").contains("data: a\n\n").contains("data: [DONE]\n\n").endsWith("0\r\n\r\n");
        assertThat(flushes.get()).as("headers with the first event, then the last event with the end").isEqualTo(2);
    }

    @Test
    void aWholeStreamInOneTurnTakesTwoWritesNotThree() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        int port = serve(flushes, (stream, context) -> {
            stream.push(Buffer.buffer("data: a\n\n"));
            stream.push(Buffer.buffer("data: [DONE]\n\n"));
            stream.end();
        });
        assertThat(get(port, true)).contains("\r\ndata: a\n\n\r\n").contains("\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
        // the first buffer is written when the second arrives; the second leaves with the end
        assertThat(flushes.get()).isEqualTo(2);
    }

    @Test
    void aBufferIsWrittenAtTheEndOfTheLoopsTurnWithoutWaitingForTheNext() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        int port = serve(flushes, (stream, context) -> stream.push(Buffer.buffer("data: first\n\n"))); // never ends
        String partial = get(port, false);
        assertThat(partial).startsWith("HTTP/1.1 200").contains("data: first\n\n").doesNotContain("0\r\n\r\n");
    }

    @Test
    void aClientThatReadsNothingPausesTheStream() throws Exception {
        CompletableFuture<Boolean> paused = new CompletableFuture<>();
        int port = serve(new AtomicInteger(), (stream, context) -> {
            Buffer big = Buffer.buffer(new byte[64 * 1024]);
            vertx.setPeriodic(1, id -> {
                if (stream.paused) {
                    vertx.cancelTimer(id);
                    paused.complete(true);
                } else {
                    stream.push(big);
                }
            });
        });
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(paused.get(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Starts a server whose every response relays a {@link FakeStream} that {@code script} feeds on the loop. */
    private int serve(AtomicInteger flushes, BiConsumer<FakeStream, Context> script) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            ((ConnectionBase) req.connection()).channel().pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes.incrementAndGet();
                    ctx.flush();
                }
            });
            FakeStream stream = new FakeStream();
            StreamToResponse.relay(req.response(), stream);
            // An engine's buffers arrive on a later turn, outside the client connection's read (where
            // Vert.x would hold every flush until the read completes).
            Context context = Vertx.currentContext();
            context.runOnContext(v -> script.accept(stream, context));
        });
        return server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    /** Reads the raw response: to its chunked end, or (untilEnd false) what arrived within a second. */
    private static String get(int port, boolean untilEnd) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(untilEnd ? 10_000 : 1_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.US_ASCII).endsWith("0\r\n\r\n")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                if (untilEnd) {
                    throw e;
                }
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    /** An engine stream driven by the test: buffers and the end are pushed on the event loop. */
    private static final class FakeStream implements ReadStream<Buffer> {
        private Handler<Buffer> handler;
        private Handler<Void> endHandler;
        volatile boolean paused;

        void push(Buffer b) { if (handler != null) handler.handle(b); }
        void end() { if (endHandler != null) endHandler.handle(null); }

        @Override public ReadStream<Buffer> handler(Handler<Buffer> h) { handler = h; return this; }
        @Override public ReadStream<Buffer> endHandler(Handler<Void> h) { endHandler = h; return this; }
        @Override public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) { return this; }
        @Override public ReadStream<Buffer> pause() { paused = true; return this; }
        @Override public ReadStream<Buffer> resume() { paused = false; return this; }
        @Override public ReadStream<Buffer> fetch(long amount) { return this; }
    }
}
