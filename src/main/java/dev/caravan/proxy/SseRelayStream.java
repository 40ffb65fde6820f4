package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.UsageReport;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passes an engine's server-sent events to the client event by event, as they arrive, while
 * reading what the gateway needs from them: the response id (lineage), the first byte time
 * (TTFT) and the final usage (cached tokens). When the gateway itself asked the engine for usage,
 * the usage-only chunk is kept from the client, who did not ask for it.
 *
 * <p>If the engine breaks off mid-stream the client gets an error event and {@code [DONE]}, the
 * way vLLM ends a failed stream: a stream that has started is never retried. Closing this stream
 * (the client went away, or the copy finished) closes the engine connection, which cancels the
 * request on the engine.
 *
 * <p>A Vert.x {@link ReadStream}: the engine's response pushes buffers in on its event loop, events
 * go out as soon as they are complete, and pausing this stream pauses the engine connection
 * (back-pressure from a slow client). Mid-stream failures never reach {@link #exceptionHandler}:
 * they become the error event.
 */
public final class SseRelayStream implements ReadStream<Buffer>, Closeable {

    /** What the relay learned, handed over exactly once when the stream closes. */
    public interface Completion {
        void completed(String responseId, UsageReport usage, long firstByteNanos, long endNanos, boolean failedMidStream);
    }

    private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE_EVENT = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID_KEY = "\"id\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BLANK_LINE = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_BYTES = new byte[0];
    private static final int FIRST_BUFFER = 8192;

    private final ReadStream<Buffer> upstream;
    private final Runnable cancelUpstream;
    private final boolean dropUsageOnlyChunk;
    private final ObjectMapper mapper;
    private final Completion completion;
    private final Runnable firstByte;

    // Allocated on first need only: most streams arrive as chunks of whole events, which passWhole
    // reads in place without them.
    private byte[] pending = NO_BYTES;
    private int pendingLen;
    private byte[] out = NO_BYTES;
    private int outLen;

    private Handler<Buffer> dataHandler;
    private Handler<Void> endHandler;
    private boolean sawDone;
    private boolean failedMidStream;
    private boolean completed;
    private long firstByteNanos = -1;
    private String responseId;
    private UsageReport usage = UsageReport.NONE;

    /**
     * @param upstream       the engine's response body, paused until a handler is set here
     * @param cancelUpstream closes the engine connection (the client went away)
     */
    public SseRelayStream(ReadStream<Buffer> upstream, Runnable cancelUpstream, boolean dropUsageOnlyChunk,
                          ObjectMapper mapper, Completion completion) {
        this(upstream, cancelUpstream, dropUsageOnlyChunk, mapper, () -> { }, completion);
    }

    /** @param firstByte told when the first byte arrives, before it goes on to the client */
    public SseRelayStream(ReadStream<Buffer> upstream, Runnable cancelUpstream, boolean dropUsageOnlyChunk,
                          ObjectMapper mapper, Runnable firstByte, Completion completion) {
        this.firstByte = firstByte;
        this.upstream = upstream;
        this.cancelUpstream = cancelUpstream;
        this.dropUsageOnlyChunk = dropUsageOnlyChunk;
        this.mapper = mapper;
        this.completion = completion;
    }

    @Override
    public SseRelayStream handler(Handler<Buffer> handler) {
        this.dataHandler = handler;
        if (handler == null) {
            upstream.handler(null);
            return this;
        }
        upstream.exceptionHandler(e -> upstreamEnded(true));
        upstream.endHandler(v -> upstreamEnded(false));
        upstream.handler(this::upstreamData);
        upstream.resume();
        return this;
    }

    @Override
    public SseRelayStream endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        return this;
    }

    @Override
    public SseRelayStream exceptionHandler(Handler<Throwable> handler) {
        return this; // failures become the error event, see the class comment
    }

    @Override
    public SseRelayStream pause() {
        upstream.pause();
        return this;
    }

    @Override
    public SseRelayStream resume() {
        upstream.resume();
        return this;
    }

    @Override
    public SseRelayStream fetch(long amount) {
        upstream.fetch(amount);
        return this;
    }

    private void upstreamData(Buffer chunk) {
        int n = chunk.length();
        if (n == 0) {
            return;
        }
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
            firstByte.run();
        }
        if (pendingLen == 0 && outLen == 0 && n >= 2 && chunk.getByte(n - 2) == '\n' && chunk.getByte(n - 1) == '\n' && passWhole(chunk, n)) {
            return;
        }
        ensurePending(n);
        chunk.getBytes(0, n, pending, pendingLen);
        pendingLen += n;
        int start = 0;
        // Events end with a blank line: "\n\n", or "\r\n\r\n" from a server that ends lines with CRLF.
        // Two bytes back: a blank line may have begun in the previous chunk.
        int i = Math.max(0, pendingLen - n - 2);
        while (i + 1 < pendingLen) {
            int end = -1;
            if (pending[i] == '\n') {
                if (pending[i + 1] == '\n') {
                    end = i + 2;
                } else if (pending[i + 1] == '\r' && i + 2 < pendingLen && pending[i + 2] == '\n') {
                    end = i + 3;
                }
            }
            if (end > 0) {
                emitEvent(start, end);
                start = end;
                i = end;
            } else {
                i++;
            }
        }
        if (start > 0) {
            System.arraycopy(pending, start, pending, 0, pendingLen - start);
            pendingLen -= start;
        }
        deliver();
    }

    /**
     * The common case, a chunk that is whole events: read what the gateway needs (the id from the
     * first event, the last usage object, whether it ends with [DONE]) without cutting it into events,
     * and send the engine's own buffer on. False when an event must be cut out (the usage-only chunk
     * the client did not ask for): the event-by-event path does that.
     */
    private boolean passWhole(Buffer chunk, int n) {
        byte[] a;
        int off;
        ByteBuf bb = chunk.getByteBuf();
        if (bb.hasArray()) { // the usual heap buffer: read it in place
            a = bb.array();
            off = bb.arrayOffset() + bb.readerIndex();
        } else {
            ensurePending(n);
            chunk.getBytes(0, n, pending, 0);
            a = pending;
            off = 0;
        }
        int end = off + n;
        int usageAt = lastUsageObject(a, off, end);
        if (usageAt >= 0) {
            if (dropUsageOnlyChunk) {
                return false;
            }
            int eventStart = lastIndexOf(a, off, usageAt, BLANK_LINE);
            eventStart = eventStart < 0 ? off : eventStart + 2;
            int eventEnd = indexOf(a, usageAt, end, BLANK_LINE);
            inspectUsage(a, jsonStart(a, eventStart, end), eventEnd < 0 ? end : eventEnd + 2);
        }
        if (responseId == null) {
            responseId = extractId(a, off, end);
        }
        if (n >= DONE_EVENT.length && startsWith(a, end - DONE_EVENT.length, end, DONE_EVENT)) {
            sawDone = true;
        }
        Handler<Buffer> handler = dataHandler;
        if (handler != null) {
            handler.handle(chunk);
        }
        return true;
    }

    private void upstreamEnded(boolean failed) {
        if (completed) {
            return;
        }
        if (pendingLen > 0) {
            // A last event without its blank line. SSE clients dispatch nothing unterminated, and an
            // event appended after it (the error event) would be read as part of it: a clean end gets
            // the blank line added, an event cut off by a failure is dropped (its JSON is incomplete).
            if (!failed || startsWith(pending, 0, pendingLen, DONE)) {
                int len = pendingLen;
                while (len > 0 && (pending[len - 1] == '\n' || pending[len - 1] == '\r')) {
                    len--;
                }
                ensurePending(2);
                pending[len] = '\n';
                pending[len + 1] = '\n';
                emitEvent(0, len + 2);
            }
            pendingLen = 0;
        }
        if (failed) {
            failedMidStream = !sawDone;
        }
        if (!sawDone) {
            failedMidStream = true;
            appendOut(errorEvent());
            appendOut(DONE_EVENT);
        }
        deliver();
        complete();
        Handler<Void> end = endHandler;
        if (end != null) {
            end.handle(null);
        }
    }

    private void deliver() {
        if (outLen == 0) {
            return;
        }
        Buffer buffer = Buffer.buffer(outLen).appendBytes(out, 0, outLen);
        outLen = 0;
        Handler<Buffer> handler = dataHandler;
        if (handler != null) {
            handler.handle(buffer);
        }
    }

    private void emitEvent(int from, int to) {
        int dataStart = from;
        if (startsWith(pending, from, to, DONE)) {
            sawDone = true;
        } else if (to - from > 6) {
            dataStart = jsonStart(pending, from, to);
            if (responseId == null) {
                responseId = extractId(pending, from, to);
            }
            if (lastUsageObject(pending, from, to) >= 0 && inspectUsage(pending, dataStart, to)) {
                return; // the usage-only chunk the client did not ask for
            }
        }
        appendOut(pending, from, to - from);
    }

    /** Reads the usage of an event that has a usage object; @return whether the event must be dropped */
    private boolean inspectUsage(byte[] a, int from, int to) {
        AnswerSummary chunk = AnswerSummary.read(mapper, a, from, to - from);
        if (chunk.usage() == UsageReport.NONE) {
            return false;
        }
        usage = chunk.usage();
        return dropUsageOnlyChunk && chunk.noChoices();
    }

    private static String extractId(byte[] a, int from, int to) {
        for (int at = indexOf(a, from, to, ID_KEY); at >= 0; at = indexOf(a, at + 1, to, ID_KEY)) {
            int s = valueAt(a, at + ID_KEY.length, to);
            if (s >= 0 && a[s] == '"') {
                int e = ++s;
                while (e < to && a[e] != '"') {
                    e++;
                }
                return new String(a, s, e - s, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    // vLLM writes compact JSON ("usage":{...}); other OpenAI-compatible servers may put spaces
    // around the colon (Python's json.dumps does), and a usage object missed there would let the
    // usage-only chunk the gateway asked for reach a client that reads choices[0].

    /** Where the last {@code "usage"} key whose value is an object starts, or -1. */
    private static int lastUsageObject(byte[] a, int from, int to) {
        for (int at = lastIndexOf(a, from, to, USAGE_KEY); at >= 0; at = lastIndexOf(a, from, at, USAGE_KEY)) {
            int v = valueAt(a, at + USAGE_KEY.length, to);
            if (v >= 0 && a[v] == '{') {
                return at;
            }
        }
        return -1;
    }

    /** The index of a key's value (after optional spaces, the colon, optional spaces), or -1 if no colon follows. */
    private static int valueAt(byte[] a, int i, int to) {
        while (i < to && (a[i] == ' ' || a[i] == '\t')) i++;
        if (i >= to || a[i] != ':') return -1;
        i++;
        while (i < to && (a[i] == ' ' || a[i] == '\t')) i++;
        return i < to ? i : -1;
    }

    /** Where an event's JSON starts: after "data:" and the one optional space SSE allows there. */
    private static int jsonStart(byte[] a, int from, int to) {
        int i = from + 5; // "data:"
        return i < to && a[i] == ' ' ? i + 1 : i;
    }

    private byte[] errorEvent() {
        String msg = "{\"error\":{\"message\":\"The engine stopped before the response was complete\","
                + "\"type\":\"engine_error\",\"param\":null,\"code\":\"engine_failed_mid_stream\"}}";
        return ("data: " + msg + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private void appendOut(byte[] src) {
        appendOut(src, 0, src.length);
    }

    private void appendOut(byte[] src, int off, int len) {
        if (outLen + len > out.length) {
            out = Arrays.copyOf(out, Math.max(Math.max(out.length * 2, FIRST_BUFFER), outLen + len));
        }
        System.arraycopy(src, off, out, outLen, len);
        outLen += len;
    }

    private void ensurePending(int extra) {
        if (pendingLen + extra > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(Math.max(pending.length * 2, FIRST_BUFFER), pendingLen + extra));
        }
    }

    private static boolean startsWith(byte[] a, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int lastIndexOf(byte[] a, int from, int to, byte[] needle) {
        outer:
        for (int i = to - needle.length; i >= from; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] a, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The client went away (or the copy finished): stop reading from the engine, which cancels the request there. */
    @Override
    public void close() {
        if (!completed) {
            if (dataHandler == null) {
                // Never started (the client left before the first write): the reset that follows is
                // ours, not a failure, and with no handler Vert.x would log it as an error.
                upstream.exceptionHandler(e -> { });
            }
            cancelUpstream.run();
            complete();
        }
    }

    private void complete() {
        if (!completed) {
            completed = true;
            completion.completed(responseId, usage, firstByteNanos, System.nanoTime(), failedMidStream);
        }
    }
}
