package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.engines.Engine;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.cost.EngineCostModel;
import dev.caravan.simulator.SimulatedEngine;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Engines that fail: before the first byte the request moves to another engine once, silently;
 * after it the client gets an error event and nothing is retried. A client that leaves cancels
 * the engine's work.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=3",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class FailoverTest extends GatewayTestSupport {

    @Autowired
    PlacementFactory placement;

    /**
     * Whatever failed, every call's prefill left its engine's queue (the cost model's view of what an
     * engine still has to prefill): a leak would make the engine look busier with every failure.
     */
    @AfterEach
    void everyPrefillLeftTheQueue() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long queued;
        do {
            queued = 0;
            for (Engine e : simulated.engines()) {
                EngineCostModel m = placement.costModels().existing(e.id());
                if (m != null) queued += m.prefillQueued();
            }
            if (queued == 0) break;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertThat(queued).as("prompt tokens still queued for prefill").isZero();
    }

    private String body(String workflow, int maxTokens, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\"}}";
    }

    private String homeOf(String workflow) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", body(workflow, 2, false));
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("x-caravan-engine").orElseThrow();
    }

    private long received() {
        return sims().stream().mapToLong(s -> s.stats().requestsReceived()).sum();
    }

    @Test
    void engine5xxBeforeTheFirstByteIsRetriedOnceElsewhere() throws Exception {
        String home = homeOf("wf-5xx");
        simFor(home).faults().failureRate(1.0);
        long before = received();

        HttpResponse<String> r = post("/v1/chat/completions", body("wf-5xx", 2, false));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(home);
        assertThat(r.headers().firstValue("x-caravan-placement")).contains("failover");
        assertThat(received() - before).isEqualTo(2); // the failed try and the retry, nothing more
    }

    @Test
    void streamedRequestIsRetriedBeforeItsFirstByte() throws Exception {
        String home = homeOf("wf-5xx-stream");
        simFor(home).faults().failureRate(1.0);
        HttpResponse<String> r = post("/v1/chat/completions", body("wf-5xx-stream", 3, true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("data: [DONE]").doesNotContain("\"error\"");
    }

    @Test
    void anEngineAnsweringGarbageWith200IsRetriedElsewhereStreamedOrNot() throws Exception {
        String home = homeOf("wf-garbage");
        simFor(home).faults().answerGarbage(true);
        long before = received();
        HttpResponse<String> whole = post("/v1/chat/completions", body("wf-garbage", 2, false));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(json(whole).get("choices").isArray()).isTrue();
        assertThat(whole.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(home);
        assertThat(whole.headers().firstValue("x-caravan-placement")).contains("failover");
        assertThat(received() - before).isEqualTo(2);

        simFor(home).faults().reset();
        String streamHome = homeOf("wf-garbage-stream");
        simFor(streamHome).faults().answerGarbage(true);
        HttpResponse<String> streamed = post("/v1/chat/completions", body("wf-garbage-stream", 3, true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("data: [DONE]").doesNotContain("<html>");

        sims().forEach(s -> s.faults().answerGarbage(true));
        HttpResponse<String> none = post("/v1/chat/completions", body("wf-garbage-all", 2, false));
        assertThat(none.statusCode()).isEqualTo(502);
        assertThat(json(none).get("error").get("code").asText()).isEqualTo("engine_unavailable");
        assertThat(none.body()).doesNotContain("<html>");
    }

    @Test
    void whenEveryEngineFailsTheClientGetsOneClearError() throws Exception {
        sims().forEach(s -> s.faults().failureRate(1.0));
        long before = received();
        HttpResponse<String> r = post("/v1/chat/completions", body("wf-all-fail", 2, false));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r).get("error").get("code").asText()).isEqualTo("engine_unavailable");
        assertThat(received() - before).isEqualTo(2);
    }

    @Test
    void engineDyingMidStreamEndsTheStreamWithAnErrorEventAndNoRetry() throws Exception {
        String home = homeOf("wf-midstream");
        simFor(home).faults().dieAfterChunks(3);
        long before = received();

        HttpResponse<String> r = post("/v1/chat/completions", body("wf-midstream", 50, true));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"delta\"");
        assertThat(r.body()).contains("\"code\":\"engine_failed_mid_stream\"");
        assertThat(r.body().trim()).endsWith("data: [DONE]");
        assertThat(received() - before).isEqualTo(1);
    }

    @Test
    void clientLeavingMidStreamCancelsTheEngineRequest() throws Exception {
        String home = homeOf("wf-leave");
        SimulatedEngine sim = simFor(home);
        long abortedBefore = sim.stats().requestsAborted();

        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("wf-leave", 2000, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (lines.size() < 3 && (line = reader.readLine()) != null) {
                if (line.startsWith("data:")) {
                    lines.add(line);
                }
            }
        } // closing the body drops the connection to the gateway

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sim.stats().requestsAborted() == abortedBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(lines).hasSize(3);
        assertThat(sim.stats().requestsAborted()).isGreaterThan(abortedBefore);
        assertThat(sim.stats().running()).isZero();
    }
}
