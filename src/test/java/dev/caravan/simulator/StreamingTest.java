package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** SSE streaming as vLLM does it: one event per token, flushed as produced, ending with [DONE]. */
class StreamingTest {

    private SimulatedEngine engine;
    private SimHttp http;

    @BeforeEach
    void start() throws Exception {
        // 12 ms inter-token latency x 0.5 = 6 ms per token: 100 tokens take ~600 ms.
        engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.5).jitterFraction(0).build());
        http = new SimHttp(engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void completionStreamArrivesChunkByChunkAndEndsWithDone() throws Exception {
        ObjectNode body = SimHttp.completion("Stream to me please", 100);
        body.put("stream", true);
        HttpResponse<InputStream> r = http.postStreaming("/v1/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (SimHttp.SseReader sse = new SimHttp.SseReader(r.body())) {
            JsonNode first = SimHttp.JSON.readTree(sse.next());
            assertThat(engine.stats().requestsCompleted()).as("first chunk read before the last was produced").isZero();
            assertThat(first.get("object").asText()).isEqualTo("text_completion");
            assertThat(first.get("id").asText()).startsWith("cmpl-");
            assertThat(first.get("choices").get(0).get("text").asText()).isNotEmpty();
            assertThat(first.get("choices").get(0).get("finish_reason").isNull()).isTrue();
            assertThat(first.has("usage")).isFalse();
            List<String> rest = sse.rest();
            assertThat(rest).hasSize(100);                     // 99 tokens + [DONE]
            assertThat(rest.get(rest.size() - 1)).isEqualTo("[DONE]");
            JsonNode last = SimHttp.JSON.readTree(rest.get(rest.size() - 2));
            assertThat(last.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
            assertThat(last.get("id").asText()).isEqualTo(first.get("id").asText());
        }
    }

    @Test
    void chatStreamStartsWithTheAssistantRoleAndEndsWithUsageWhenAsked() throws Exception {
        ObjectNode body = SimHttp.chat("Stream a chat", 5);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpResponse<InputStream> r = http.postStreaming("/v1/chat/completions", body);
        List<String> events;
        try (SimHttp.SseReader sse = new SimHttp.SseReader(r.body())) {
            events = sse.rest();
        }
        // role chunk, 5 token chunks, usage chunk, [DONE]
        assertThat(events).hasSize(8);
        JsonNode role = SimHttp.JSON.readTree(events.get(0));
        assertThat(role.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(role.get("id").asText()).startsWith("chatcmpl-");
        assertThat(role.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        JsonNode token = SimHttp.JSON.readTree(events.get(1));
        assertThat(token.get("choices").get(0).get("delta").get("content").asText()).isNotEmpty();
        assertThat(token.get("choices").get(0).get("delta").has("role")).isFalse();
        JsonNode lastToken = SimHttp.JSON.readTree(events.get(5));
        assertThat(lastToken.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = SimHttp.JSON.readTree(events.get(6));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isPositive();
        assertThat(usage.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt()).isZero();
        assertThat(events.get(7)).isEqualTo("[DONE]");
    }

    @Test
    void streamedTextEqualsTheNonStreamedText() throws Exception {
        ObjectNode body = SimHttp.completion("Same prompt, same words", 6);
        String whole = SimHttp.json(http.post("/v1/completions", body)).get("choices").get(0).get("text").asText();
        body.put("stream", true);
        StringBuilder streamed = new StringBuilder();
        try (SimHttp.SseReader sse = new SimHttp.SseReader(http.postStreaming("/v1/completions", body).body())) {
            for (String e : sse.rest()) {
                if (!e.equals("[DONE]")) {
                    streamed.append(SimHttp.JSON.readTree(e).get("choices").get(0).get("text").asText());
                }
            }
        }
        assertThat(streamed.toString()).isEqualTo(whole);
    }

    @Test
    void streamOptionsWithoutStreamIs400() throws Exception {
        ObjectNode body = SimHttp.completion("x", 2);
        body.putObject("stream_options").put("include_usage", true);
        assertThat(http.post("/v1/completions", body).statusCode()).isEqualTo(400);
    }

    @Test
    void zeroTimeScaleStreamsEverythingAtOnce() throws Exception {
        try (SimulatedEngine instant = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            ObjectNode body = SimHttp.completion("instant", 3);
            body.put("stream", true);
            try (SimHttp.SseReader sse = new SimHttp.SseReader(new SimHttp(instant).postStreaming("/v1/completions", body).body())) {
                assertThat(sse.rest()).hasSize(4).last().isEqualTo("[DONE]");
            }
        }
    }
}
