package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ConcurrentStreamsPerKey;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@code caravan.limits.max-streams-per-key} and {@code caravan.limits.workflow-rate-limit}, over real
 * HTTP: a key at its cap of open streams is refused another (429) until one closes, other keys and
 * unstreamed calls go on; a workflow past its rate is refused completions and sends alike (429 with
 * Retry-After) while other workflows and plain requests go on.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.messaging.stream-heartbeat=200ms",
        "caravan.security.api-keys=sk-limit-alpha-01,sk-limit-beta-02",
        "caravan.limits.max-streams-per-key=2",
        "caravan.limits.workflow-rate-limit.requests=3",
        "caravan.limits.workflow-rate-limit.period=30s"})
class StreamAndWorkflowLimitsTest extends GatewayTestSupport {

    static final String A = "sk-limit-alpha-01";
    static final String B = "sk-limit-beta-02";

    @Autowired
    ConcurrentStreamsPerKey streams;

    static String chat(String workflow, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2"
                + (stream ? ",\"stream\":true" : "")
                + (workflow == null ? "" : ",\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"planner\"}")
                + "}";
    }

    static final String MESSAGE = "{\"source_agent\":\"planner\",\"target_agent\":\"coder\",\"payload\":{\"task\":\"x\"}}";

    HttpResponse<String> call(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens an agent message stream and returns once its headers came (the stream stays open). */
    HttpResponse<InputStream> openStream(String workflow, String agent, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/workflows/" + workflow + "/agents/" + agent + "/messages/stream"))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    String keyId(String key) {
        return dev.caravan.core.ApiKeyIds.of(key);
    }

    @Test
    void aKeyAtItsStreamCapIsRefusedAnotherUntilOneCloses() throws Exception {
        String wf = "streams-" + UUID.randomUUID();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (String agent : new String[] {"coder", "critic"}) {
                HttpResponse<InputStream> s = openStream(wf, agent, A);
                assertThat(s.statusCode()).isEqualTo(200);
                open.add(s);
            }
            assertThat(streams.openFor(keyId(A))).isEqualTo(2);

            HttpResponse<String> third = call("GET", "/v1/workflows/" + wf + "/agents/editor/messages/stream", null, A);
            assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
            JsonNode error = json(third).get("error");
            assertThat(error.get("code").asText()).isEqualTo("concurrent_streams_exceeded");
            assertThat(error.get("message").asText()).contains("2 open streams").doesNotContain("sk-limit");
            assertThat(third.headers().firstValue("Retry-After")).isPresent();

            HttpResponse<String> streamedChat = call("POST", "/v1/chat/completions", chat(null, true), A);
            assertThat(streamedChat.statusCode()).as("a streamed completion is a stream too").isEqualTo(429);
            assertThat(call("POST", "/v1/chat/completions", chat(null, false), A).statusCode())
                    .as("an unstreamed completion is not").isEqualTo(200);
            assertThat(call("GET", "/v1/workflows/" + wf + "/agents/editor/messages?timeout=0", null, A).statusCode())
                    .as("a poll is not").isEqualTo(200);

            HttpResponse<InputStream> other = openStream("streams-b-" + UUID.randomUUID(), "coder", B);
            assertThat(other.statusCode()).as("another key has its own cap").isEqualTo(200);
            open.add(other);

            open.remove(0).body().close(); // the client goes away: its stream ends at the next heartbeat
            await().atMost(Duration.ofSeconds(15)).until(() -> streams.openFor(keyId(A)) == 1);
            HttpResponse<String> chatNow = call("POST", "/v1/chat/completions", chat(null, true), A);
            assertThat(chatNow.statusCode()).as(chatNow.body()).isEqualTo(200);
            assertThat(chatNow.body()).contains("data: [DONE]");
            await().atMost(Duration.ofSeconds(5)).until(() -> streams.openFor(keyId(A)) == 1);
        } finally {
            for (HttpResponse<InputStream> s : open) s.body().close();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> streams.openFor(keyId(A)) == 0 && streams.openFor(keyId(B)) == 0);
    }

    @Test
    void aWorkflowPastItsRateIsRefusedCompletionsAndSendsWhileOthersGoOn() throws Exception {
        String wf = "rate-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/chat/completions", chat(wf, false), A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/chat/completions", chat(wf, true), A).statusCode()).isEqualTo(200);

        for (HttpResponse<String> limited : List.of(call("POST", "/v1/chat/completions", chat(wf, false), A),
                call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A))) {
            assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
            JsonNode error = json(limited).get("error");
            assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error.get("type").asText()).isEqualTo("requests");
            assertThat(error.get("message").asText()).contains(wf).contains("3 requests per 30000 ms");
            assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 30L);
        }
        assertThat(call("GET", "/v1/workflows/" + wf + "/agents/coder/messages?timeout=0", null, A).statusCode())
                .as("its agents may still drain their queues").isEqualTo(200);
        assertThat(call("GET", "/v1/workflows/" + wf + "/status", null, A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/chat/completions", chat("rate-other-" + UUID.randomUUID(), false), A).statusCode())
                .as("another workflow has its own budget").isEqualTo(200);
        assertThat(call("POST", "/v1/chat/completions", chat(null, false), A).statusCode())
                .as("plain requests are not counted").isEqualTo(200);
    }
}
