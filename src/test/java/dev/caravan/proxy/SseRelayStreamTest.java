package dev.caravan.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.UsageReport;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The SSE relay: events pass whole and unchanged, usage is read, a broken stream ends with an error event. */
class SseRelayStreamTest {

    private static final String TOKEN = "data: {\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n";
    private static final String USAGE_ONLY = "data: {\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,"
            + "\"total_tokens\":36,\"completion_tokens\":16,\"prompt_tokens_details\":{\"cached_tokens\":16}}}\n\n";
    private static final String USAGE_WITH_CHOICE = "data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},"
            + "\"logprobs\":null}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n";
    private static final String DONE = "data: [DONE]\n\n";

    private final FakeUpstream upstream = new FakeUpstream();
    private final List<Buffer> received = new ArrayList<>();
    private final AtomicReference<Object[]> completed = new AtomicReference<>();

    private SseRelayStream relay(boolean dropUsageOnlyChunk) {
        SseRelayStream relay = new SseRelayStream(upstream, () -> { }, dropUsageOnlyChunk, new ObjectMapper(),
                (id, usage, first, end, failed) -> completed.set(new Object[] {id, usage, failed}));
        relay.handler(received::add);
        return relay;
    }

    private String text() {
        StringBuilder b = new StringBuilder();
        received.forEach(r -> b.append(r.toString()));
        return b.toString();
    }

    @Test
    void aChunkOfWholeEventsIsPassedOnAsTheEnginesOwnBuffer() {
        relay(false);
        Buffer chunk = Buffer.buffer(TOKEN + TOKEN);
        upstream.push(chunk);
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).isSameAs(chunk);
    }

    @Test
    void aWholeStreamInOneChunkIsPassedOnAndStillReadForIdUsageAndDone() {
        relay(false);
        Buffer chunk = Buffer.buffer(TOKEN + USAGE_WITH_CHOICE + TOKEN + USAGE_ONLY + DONE);
        upstream.push(chunk);
        upstream.end();
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).isSameAs(chunk);
        Object[] done = completed.get();
        assertThat(done[0]).isEqualTo("cmpl-1");
        assertThat(done[1]).as("the last usage object wins").isEqualTo(new UsageReport(20, 16, 16));
        assertThat(done[2]).as("ended with [DONE]: not a broken stream").isEqualTo(false);
    }

    @Test
    void aChunkThatIsASliceOfALargerBufferIsReadAtItsOwnOffset() {
        // The HTTP client may hand over a view into a larger array: the in-place reading must use its offset.
        relay(false);
        String junk = "data: {\"id\":\"not-this-one\",\"usage\":{\"prompt_tokens\":99}}\n\n";
        String events = TOKEN + USAGE_WITH_CHOICE + DONE;
        byte[] all = (junk + events + junk).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Buffer chunk = Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(all, junk.length(), events.length()));
        upstream.push(chunk);
        upstream.end();
        assertThat(text()).isEqualTo(events);
        Object[] done = completed.get();
        assertThat(done[0]).isEqualTo("cmpl-1");
        assertThat(done[1]).isEqualTo(new UsageReport(5, -1, 1));
        assertThat(done[2]).isEqualTo(false);
    }

    @Test
    void eventsSplitAcrossChunksGoOutWholeAndInOrder() {
        relay(false);
        String all = TOKEN + TOKEN + USAGE_ONLY + DONE;
        for (int at = 0; at < all.length(); at += 37) {
            upstream.push(Buffer.buffer(all.substring(at, Math.min(all.length(), at + 37))));
        }
        upstream.end();
        assertThat(text()).isEqualTo(all);
        for (Buffer b : received) {
            assertThat(b.toString()).endsWith("\n\n"); // never half an event
        }
        Object[] done = completed.get();
        assertThat(done[0]).isEqualTo("cmpl-1");
        assertThat(done[1]).isEqualTo(new UsageReport(20, 16, 16));
        assertThat(done[2]).isEqualTo(false);
    }

    @Test
    void theUsageOnlyChunkTheGatewayAskedForIsReadAndKeptFromTheClient() {
        relay(true);
        upstream.push(Buffer.buffer(TOKEN + USAGE_ONLY + DONE));
        upstream.end();
        assertThat(text()).isEqualTo(TOKEN + DONE);
        assertThat(completed.get()[1]).isEqualTo(new UsageReport(20, 16, 16));
    }

    @Test
    void jsonWithSpacesAndDataWithoutItsSpaceIsReadTheSame() {
        // vLLM writes compact JSON; a server using Python's json.dumps puts spaces after colons, and SSE
        // allows "data:" without the space. The usage-only chunk must still be found and kept back.
        String token = "data:{\"id\": \"cmpl-9\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"hi\"}}], \"usage\": null}\n\n";
        String usageOnly = "data: {\"id\": \"cmpl-9\", \"choices\": [], \"usage\" : {\"prompt_tokens\": 20, "
                + "\"completion_tokens\": 2, \"prompt_tokens_details\": {\"cached_tokens\": 16}}}\n\n";
        for (boolean whole : new boolean[] {true, false}) {
            received.clear();
            FakeUpstream up = new FakeUpstream();
            SseRelayStream relay = new SseRelayStream(up, () -> { }, true, new ObjectMapper(),
                    (id, usage, first, end, failed) -> completed.set(new Object[] {id, usage, failed}));
            relay.handler(received::add);
            String all = token + usageOnly + DONE;
            if (whole) {
                up.push(Buffer.buffer(all));
            } else {
                for (int at = 0; at < all.length(); at += 11) {
                    up.push(Buffer.buffer(all.substring(at, Math.min(all.length(), at + 11))));
                }
            }
            up.end();
            assertThat(text()).as(whole ? "one chunk" : "split").isEqualTo(token + DONE);
            assertThat(completed.get()[0]).isEqualTo("cmpl-9");
            assertThat(completed.get()[1]).isEqualTo(new UsageReport(20, 16, 2));
            assertThat(completed.get()[2]).isEqualTo(false);
        }
    }

    @Test
    void aChunkWithUsageAndAChoiceIsNeverDropped() {
        relay(true);
        upstream.push(Buffer.buffer(USAGE_WITH_CHOICE + DONE));
        upstream.end();
        assertThat(text()).isEqualTo(USAGE_WITH_CHOICE + DONE);
        assertThat(completed.get()[1]).isEqualTo(new UsageReport(5, -1, 1));
    }

    @Test
    void anEngineThatStopsMidStreamLeavesTheClientAnErrorEventAndDone() {
        relay(false);
        upstream.push(Buffer.buffer(TOKEN));
        upstream.fail();
        assertThat(text()).startsWith(TOKEN).contains("engine_failed_mid_stream").endsWith(DONE);
        assertThat(completed.get()[2]).isEqualTo(true);
    }

    @Test
    void aStreamSplitAtEveryBytePositionGoesOutWholeAndReadTheSame() {
        String accented = "data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\u00e9\u20ac\ud83d\ude00\"}}]}\n\n";
        for (String blank : new String[] {"\n\n", "\r\n\r\n"}) {
            String first = accented.replace("\n\n", blank);
            String token = TOKEN.replace("\n\n", blank);
            String done = DONE.replace("\n\n", blank);
            String all = first + token + USAGE_ONLY.replace("\n\n", blank) + done;
            byte[] bytes = all.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (boolean drop : new boolean[] {false, true}) {
                String expected = drop ? first + token + done : all;
                for (int at = 1; at < bytes.length; at++) {
                    received.clear();
                    completed.set(null);
                    relay(drop);
                    upstream.push(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, at)));
                    upstream.push(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, at, bytes.length)));
                    upstream.end();
                    String split = "split at " + at + ", drop " + drop + ", blank line " + blank.length();
                    assertThat(text()).as(split).isEqualTo(expected);
                    for (Buffer b : received) {
                        assertThat(b.toString()).as(split).endsWith(blank); // never half an event
                    }
                    Object[] ended = completed.get();
                    assertThat(ended[0]).as(split).isEqualTo("cmpl-1");
                    assertThat(ended[1]).as(split).isEqualTo(new UsageReport(20, 16, 16));
                    assertThat(ended[2]).as(split).isEqualTo(false);
                }
                received.clear();
                relay(drop);
                for (byte b : bytes) {
                    upstream.push(Buffer.buffer(new byte[] {b}));
                }
                upstream.end();
                assertThat(text()).as("byte by byte, drop %s, blank line %d", drop, blank.length()).isEqualTo(expected);
            }
        }
    }

    @Test
    void anEngineThatBreaksOffMidEventLeavesTheClientAReadableErrorEvent() {
        relay(false);
        upstream.push(Buffer.buffer(TOKEN + TOKEN.substring(0, 30)));
        upstream.fail();
        // an SSE client never dispatches the cut-off event; glued to it, the error event would not be dispatched either
        assertThat(text()).isEqualTo(TOKEN + "data: {\"error\":{\"message\":\"The engine stopped before the response was complete\","
                + "\"type\":\"engine_error\",\"param\":null,\"code\":\"engine_failed_mid_stream\"}}\n\n" + DONE);
        assertThat(completed.get()[2]).isEqualTo(true);
    }

    @Test
    void aLastEventWithoutItsBlankLineGoesOutAsAWholeEvent() {
        relay(false);
        upstream.push(Buffer.buffer(TOKEN + "data: [DONE]"));
        upstream.end();
        assertThat(text()).isEqualTo(TOKEN + DONE);
        assertThat(completed.get()[2]).isEqualTo(false);
    }

    @Test
    void eventsEndedByCrLfGoOutAsTheyArriveAndTheStreamEndsCleanly() {
        relay(true);
        String token = TOKEN.replace("\n\n", "\r\n\r\n");
        upstream.push(Buffer.buffer(token));
        assertThat(text()).as("the event is complete: it does not wait for the end of the stream").isEqualTo(token);
        upstream.push(Buffer.buffer(USAGE_ONLY.replace("\n\n", "\r\n\r\n") + "data: [DONE]\r\n\r\n"));
        upstream.end();
        assertThat(text()).isEqualTo(token + "data: [DONE]\r\n\r\n");
        assertThat(completed.get()[1]).isEqualTo(new UsageReport(20, 16, 16));
        assertThat(completed.get()[2]).isEqualTo(false);
    }


    @Test
    void closedBeforeTheClientWasWrittenToTheEnginesResetIsNotReportedAsAFailure() {
        // the client left before the writer started: the reset that cancels the engine request must
        // find a handler (Vert.x logs an unhandled stream exception at ERROR), and the outcome is recorded once
        SseRelayStream relay = new SseRelayStream(upstream, upstream::fail, false, new ObjectMapper(),
                (id, usage, first, end, failed) -> completed.set(new Object[] {id, usage, failed}));
        relay.close();
        assertThat(completed.get()).isNotNull();
        assertThat(received).isEmpty();
    }

    /** The engine's response body: chunks pushed by the test. */
    private static final class FakeUpstream implements ReadStream<Buffer> {
        private Handler<Buffer> handler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;

        void push(Buffer b) { handler.handle(b); }
        void end() { endHandler.handle(null); }
        void fail() { exceptionHandler.handle(new RuntimeException("connection reset")); }

        @Override public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) { exceptionHandler = h; return this; }
        @Override public ReadStream<Buffer> handler(Handler<Buffer> h) { handler = h; return this; }
        @Override public ReadStream<Buffer> pause() { return this; }
        @Override public ReadStream<Buffer> resume() { return this; }
        @Override public ReadStream<Buffer> fetch(long amount) { return this; }
        @Override public ReadStream<Buffer> endHandler(Handler<Void> h) { endHandler = h; return this; }
    }
}
