package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each fault knob, from Java and over /sim/faults, and client disconnects. */
class FaultsTest {

    private SimulatedEngine engine;
    private SimHttp http;

    @Test
    void dieAfterChunksAlsoCutsChatStreamsAndCountsTheRoleChunk() throws Exception {
        engine.faults().dieAfterChunks(2);
        ObjectNode body = SimHttp.chat("die in chat", 2000);
        body.put("stream", true);
        List<String> events = new ArrayList<>();
        try (SimHttp.SseReader sse = new SimHttp.SseReader(http.postStreaming("/v1/chat/completions", body).body())) {
            String e;
            while ((e = sse.next()) != null) {
                events.add(e);
            }
        } catch (IOException expected) {
            // cut mid-body
        }
        assertThat(events).hasSizeLessThanOrEqualTo(2).doesNotContain("[DONE]");
        SimHttp.awaitTrue(() -> engine.stats().requestsAborted() == 1, Duration.ofSeconds(5));
    }

    @BeforeEach
    void start() throws Exception {
        engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.05).jitterFraction(0).build());
        http = new SimHttp(engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void failingHealthAnswers503UntilReset() throws Exception {
        engine.faults().failHealth(true);
        assertThat(http.get("/health").statusCode()).isEqualTo(503);
        assertThat(http.post("/v1/completions", SimHttp.completion("still serving", 2)).statusCode()).isEqualTo(200);
        engine.faults().reset();
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void failureRateAnswers500ForThatFractionOfRequests() throws Exception {
        engine.faults().failureRate(1.0);
        HttpResponse<String> failed = http.post("/v1/chat/completions", SimHttp.chat("x", 2));
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(SimHttp.json(failed).get("error").get("code").asInt()).isEqualTo(500);
        engine.faults().failureRate(0.5);
        int failures = 0;
        for (int i = 0; i < 60; i++) {
            if (http.post("/v1/completions", SimHttp.completion("x", 1)).statusCode() == 500) {
                failures++;
            }
        }
        assertThat(failures).isBetween(15, 45);
        assertThat(engine.stats().requestsFailed()).isEqualTo(failures + 1);
        assertThatThrownBy(() -> engine.faults().failureRate(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stallHoldsRequestsUntilReleased() throws Exception {
        engine.faults().stall(true);
        CompletableFuture<HttpResponse<String>> held = http.postAsync("/v1/completions", SimHttp.completion("wait", 2));
        SimHttp.awaitTrue(() -> engine.stats().requestsStalled() == 1, Duration.ofSeconds(5));
        Thread.sleep(200);
        assertThat(held).isNotDone();
        assertThat(http.get("/health").statusCode()).as("the engine still looks alive").isEqualTo(200);
        engine.faults().stall(false);
        assertThat(held.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(engine.stats().requestsStalled()).isZero();
    }

    @Test
    void dieMidStreamCutsTheConnectionWithoutDone() throws Exception {
        // Real-time tokens (12 ms apart): the cut comes when the 4th event is due.
        engine.close();
        engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(1.0).jitterFraction(0).build());
        http = new SimHttp(engine);
        engine.faults().dieAfterChunks(3);
        ObjectNode body = SimHttp.completion("die", 10);
        body.put("stream", true);
        HttpResponse<InputStream> r = http.postStreaming("/v1/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = new ArrayList<>();
        boolean cut = false;
        try (SimHttp.SseReader sse = new SimHttp.SseReader(r.body())) {
            String e;
            while ((e = sse.next()) != null) {
                events.add(e);
            }
        } catch (IOException expected) {
            cut = true;       // the chunked body ended without its last chunk
        }
        assertThat(events).hasSize(3).doesNotContain("[DONE]");
        assertThat(cut).as("premature EOF reported to the client").isTrue();
        SimHttp.awaitTrue(() -> engine.stats().requestsAborted() == 1, Duration.ofSeconds(5));
        assertThat(engine.stats().running()).isZero();
        assertThat(engine.stats().kvCacheUsage()).isZero();

        engine.faults().reset();
        try (SimHttp.SseReader sse = new SimHttp.SseReader(http.postStreaming("/v1/completions", body).body())) {
            assertThat(sse.rest()).hasSize(11).last().isEqualTo("[DONE]");
        }
    }

    @Test
    void faultsAreSettableOverHttp() throws Exception {
        JsonNode set = SimHttp.json(http.post("/sim/faults",
                "{\"fail_health\":true,\"failure_rate\":0.25,\"die_after_chunks\":4,\"stall\":false}"));
        assertThat(set.get("fail_health").asBoolean()).isTrue();
        assertThat(set.get("failure_rate").asDouble()).isEqualTo(0.25);
        assertThat(set.get("die_after_chunks").asInt()).isEqualTo(4);
        assertThat(engine.faults().healthFailing()).isTrue();
        assertThat(engine.faults().dieAfterChunks()).isEqualTo(4);
        assertThat(http.get("/health").statusCode()).isEqualTo(503);
        assertThat(http.post("/sim/faults", "{\"failure_rate\":2}").statusCode()).isEqualTo(400);

        http.post("/sim/faults", "{\"stall\":true}");
        CompletableFuture<HttpResponse<String>> held = http.postAsync("/v1/completions", SimHttp.completion("wait", 2));
        SimHttp.awaitTrue(() -> engine.stats().requestsStalled() == 1, Duration.ofSeconds(5));

        JsonNode reset = SimHttp.json(http.post("/sim/faults", "{\"reset\":true}"));
        assertThat(reset.get("fail_health").asBoolean()).isFalse();
        assertThat(reset.get("failure_rate").asDouble()).isZero();
        assertThat(reset.get("stall").asBoolean()).isFalse();
        assertThat(reset.get("die_after_chunks").asInt()).isEqualTo(-1);
        assertThat(held.get(5, TimeUnit.SECONDS).statusCode()).isIn(200, 500);
        assertThat(SimHttp.json(http.get("/sim/faults"))).isEqualTo(reset);
    }

    @Test
    void aClientThatGoesAwayMidStreamAbortsItsRequest() throws Exception {
        ObjectNode body = SimHttp.completion("abandon me", 2000);
        body.put("stream", true);
        HttpResponse<InputStream> r = http.postStreaming("/v1/completions", body);
        InputStream in = r.body();
        SimHttp.SseReader sse = new SimHttp.SseReader(in);
        assertThat(sse.next()).isNotNull();
        assertThat(engine.stats().running()).isEqualTo(1);
        in.close();
        SimHttp.awaitTrue(() -> engine.stats().requestsAborted() == 1, Duration.ofSeconds(5));
        assertThat(engine.stats().running()).isZero();
        assertThat(engine.stats().kvCacheUsage()).isZero();
        assertThat(engine.stats().requestsCompleted()).isZero();
        assertThat(MetricsTest.value(http.get("/metrics").body(), "vllm:request_success_total{model_name=\""
                + SimulatorConfig.DEFAULT_MODEL + "\",engine=\"0\",finished_reason=\"abort\"}")).isEqualTo(1.0);
    }

    @Test
    void closingTheEngineDropsOpenStreams() throws Exception {
        ObjectNode body = SimHttp.completion("engine dies", 2000);
        body.put("stream", true);
        SimHttp.SseReader sse = new SimHttp.SseReader(http.postStreaming("/v1/completions", body).body());
        assertThat(sse.next()).isNotNull();
        engine.close();
        List<String> rest = new ArrayList<>();
        try {
            String e;
            while ((e = sse.next()) != null) {
                rest.add(e);
            }
        } catch (IOException expected) {
            // connection reset or premature EOF: either way the stream did not finish
        }
        assertThat(rest).doesNotContain("[DONE]");
        assertThatThrownBy(() -> http.get("/health")).isInstanceOf(IOException.class);
    }
}
