package dev.caravan.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes one generation request's response to its HTTP exchange as the engine produces tokens:
 * the whole JSON body at the end, or one SSE event per token. Decides when the client is gone
 * (a write fails) and when the die-mid-stream fault cuts the connection.
 *
 * <p>Writes are serialised by a work-in-progress counter and run on the I/O executor, never on the
 * engine loop, so a slow client cannot stall other sequences.
 */
final class GenerationResponder implements TokenSink {

    private final HttpExchange exchange;
    private final Executor executor;
    private final OpenAiShapes shapes;
    private final GenerationRequest request;
    private final SimulatedOutput output;
    private final long outputDigest;
    private final String id;
    private final long created;
    private final int dieAfterChunks;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean started;
    private volatile int available;
    private volatile String finishReason;
    private volatile int cachedTokens;
    private volatile Runnable onClientGone = () -> { };

    // Touched only inside the serialised drain.
    private boolean headersSent;
    private boolean done;
    private int written;
    private int chunks;
    private OutputStream body;
    private OpenAiShapes.TokenEventTemplate middleEvent;
    private OpenAiShapes.TokenEventTemplate lastEvent;

    GenerationResponder(HttpExchange exchange, Executor executor, OpenAiShapes shapes, GenerationRequest request,
                        SimulatedOutput output, long outputDigest, int dieAfterChunks) {
        this.exchange = exchange;
        this.executor = executor;
        this.shapes = shapes;
        this.request = request;
        this.output = output;
        this.outputDigest = outputDigest;
        this.id = (request.kind == GenerationRequest.Kind.CHAT ? "chatcmpl-" : "cmpl-") + randomHex32();
        this.created = System.currentTimeMillis() / 1000;
        this.dieAfterChunks = request.stream ? dieAfterChunks : -1;
    }

    /**
     * 32 hex digits like vLLM's {@code uuid4().hex}; from ThreadLocalRandom because UUID's
     * SecureRandom is a shared bottleneck for the zero-delay stub.
     */
    static String randomHex32() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 2; i++) {
            String half = Long.toHexString(random.nextLong());
            sb.append("0".repeat(16 - half.length())).append(half);
        }
        return sb.toString();
    }

    /** What to do when the client disappears or the connection is cut: abort the sequence. */
    void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    /** The sequence is in the engine; from now on progress is written. Drains on the caller's thread first. */
    void start() {
        started = true;
        if (wip.getAndIncrement() == 0) {
            drainLoop();
        }
    }

    @Override
    public void tokensAvailable(int count) {
        available = count;
        if (request.stream) {
            signal();
        }
    }

    @Override
    public void finished(String reason, int cached) {
        cachedTokens = cached;
        finishReason = reason;
        signal();
    }

    private void signal() {
        if (started && wip.getAndIncrement() == 0) {
            executor.execute(this::drainLoop);
        }
    }

    private void drainLoop() {
        int missed = 1;
        do {
            drain();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drain() {
        if (done) {
            return;
        }
        try {
            if (request.stream) {
                drainStream();
            } else if (finishReason != null) {
                byte[] text = request.kind == GenerationRequest.Kind.CHAT
                        ? shapes.chatCompletion(request, id, created, output.text(outputDigest, request.outputTokens), finishReason, cachedTokens)
                        : shapes.completion(request, id, created, output.text(outputDigest, request.outputTokens), finishReason, cachedTokens);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, text.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(text);
                }
                done = true;
            }
        } catch (IOException | RuntimeException e) {
            clientGone();
        }
    }

    private void drainStream() throws IOException {
        if (!headersSent) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            body = exchange.getResponseBody();
            if (dieAfterChunks >= 0) {
                exchange.setStreams(null, new AbruptCloseStream(body));
            }
            headersSent = true;
            middleEvent = shapes.tokenEventTemplate(request, id, created, null);
            lastEvent = shapes.tokenEventTemplate(request, id, created, request.finishReason);
        }
        int upTo = available;
        while (written < upTo) {
            if (written == 0 && request.kind == GenerationRequest.Kind.CHAT) {
                if (dieIfDue()) {
                    return;
                }
                send(shapes.chatRoleChunk(request, id, created));
            }
            if (dieIfDue()) {
                return;
            }
            OpenAiShapes.TokenEventTemplate event = written == request.outputTokens - 1 ? lastEvent : middleEvent;
            body.write(event.before());
            body.write(output.tokenJson(outputDigest, written));
            written++;
            send(event.after());
        }
        if (finishReason != null && written == request.outputTokens) {
            if (request.includeUsage) {
                if (dieIfDue()) {
                    return;
                }
                send(shapes.usageChunk(request, id, created, cachedTokens));
            }
            if (dieIfDue()) {
                return;
            }
            body.write(OpenAiShapes.DONE);
            body.close();
            done = true;
        }
    }

    /** Writes the (rest of an) SSE event and flushes it, which makes it one HTTP chunk. */
    private void send(byte[] event) throws IOException {
        body.write(event);
        body.flush();
        chunks++;
    }

    /**
     * Cuts the connection when the die fault's chunk budget is spent. It is checked when the next
     * event is due rather than right after the last allowed one, so the allowed events reach the
     * client a token's time before the socket drops, as when an engine dies between two tokens.
     */
    private boolean dieIfDue() {
        if (dieAfterChunks < 0 || chunks < dieAfterChunks) {
            return false;
        }
        done = true;
        exchange.close();      // AbruptCloseStream makes the server drop the socket: no last chunk, no [DONE]
        onClientGone.run();
        return true;
    }

    private void clientGone() {
        done = true;
        try {
            exchange.close();
        } catch (RuntimeException ignored) {
            // the connection is already unusable; closing is best effort
        }
        onClientGone.run();
    }

    /**
     * The JDK server closes the socket instead of ending the chunked body when closing the response
     * stream fails; that is the only public way to make it drop a connection mid-response.
     */
    private static final class AbruptCloseStream extends FilterOutputStream {
        AbruptCloseStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            throw new IOException("simulated engine death");
        }
    }
}
