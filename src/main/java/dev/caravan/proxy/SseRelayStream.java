package dev.caravan.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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
 */
public final class SseRelayStream extends InputStream {

    /** What the relay learned, handed over exactly once when the stream closes. */
    public interface Completion {
        void completed(String responseId, UsageReport usage, long firstByteNanos, long endNanos, boolean failedMidStream);
    }

    private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_OBJECT = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);

    private final InputStream upstream;
    private final boolean dropUsageOnlyChunk;
    private final ObjectMapper mapper;
    private final Completion completion;

    private byte[] pending = new byte[8192];
    private int pendingLen;
    private byte[] out = new byte[8192];
    private int outPos;
    private int outLen;
    private final byte[] readBuf = new byte[8192];

    private boolean upstreamEnded;
    private boolean sawDone;
    private boolean failedMidStream;
    private boolean closed;
    private long firstByteNanos = -1;
    private String responseId;
    private UsageReport usage = UsageReport.NONE;

    public SseRelayStream(InputStream upstream, boolean dropUsageOnlyChunk, ObjectMapper mapper, Completion completion) {
        this.upstream = upstream;
        this.dropUsageOnlyChunk = dropUsageOnlyChunk;
        this.mapper = mapper;
        this.completion = completion;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (outPos == outLen) {
            if (upstreamEnded || closed) {
                return -1;
            }
            outPos = 0;
            outLen = 0;
            fill();
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    @Override
    public int available() {
        return outLen - outPos;
    }

    private void fill() {
        int n;
        try {
            n = upstream.read(readBuf);
        } catch (IOException e) {
            n = -1;
            failedMidStream = !sawDone;
        }
        if (n < 0) {
            upstreamEnded = true;
            if (pendingLen > 0) {
                emitEvent(0, pendingLen); // a last event without its blank line
                pendingLen = 0;
            }
            if (!sawDone) {
                failedMidStream = true;
                appendOut(errorEvent());
                appendOut("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            }
            return;
        }
        if (firstByteNanos < 0 && n > 0) {
            firstByteNanos = System.nanoTime();
        }
        ensurePending(n);
        System.arraycopy(readBuf, 0, pending, pendingLen, n);
        pendingLen += n;
        int start = 0;
        for (int i = Math.max(0, pendingLen - n - 1); i + 1 < pendingLen; i++) {
            if (pending[i] == '\n' && pending[i + 1] == '\n') {
                emitEvent(start, i + 2);
                start = i + 2;
                i++;
            }
        }
        if (start > 0) {
            System.arraycopy(pending, start, pending, 0, pendingLen - start);
            pendingLen -= start;
        }
    }

    private void emitEvent(int from, int to) {
        int dataStart = from;
        if (startsWith(pending, from, to, DONE)) {
            sawDone = true;
        } else if (to - from > 6) {
            dataStart = from + 6; // after "data: "
            if (responseId == null) {
                responseId = extractId(from, to);
            }
            if (indexOf(pending, from, to, USAGE_OBJECT) >= 0 && inspectUsage(dataStart, to)) {
                return; // the usage-only chunk the client did not ask for
            }
        }
        appendOut(pending, from, to - from);
    }

    /** @return whether the event must be dropped */
    private boolean inspectUsage(int from, int to) {
        try {
            JsonNode chunk = mapper.readTree(pending, from, to - from);
            JsonNode u = chunk.get("usage");
            if (u != null && u.isObject()) {
                usage = UsageReport.from(u);
                JsonNode choices = chunk.get("choices");
                return dropUsageOnlyChunk && choices != null && choices.isArray() && choices.isEmpty();
            }
        } catch (IOException e) {
            // not JSON after all: pass it through untouched
        }
        return false;
    }

    private String extractId(int from, int to) {
        byte[] key = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(pending, from, to, key);
        if (at < 0) {
            return null;
        }
        int s = at + key.length;
        int e = s;
        while (e < to && pending[e] != '"') {
            e++;
        }
        return new String(pending, s, e - s, StandardCharsets.UTF_8);
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
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + len));
        }
        System.arraycopy(src, off, out, outLen, len);
        outLen += len;
    }

    private void ensurePending(int extra) {
        if (pendingLen + extra > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + extra));
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

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            upstream.close();
        } finally {
            completion.completed(responseId, usage, firstByteNanos, System.nanoTime(), failedMidStream);
        }
    }
}
