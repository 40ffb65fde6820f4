package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Continuous batching limits, the bounded waiting queue and priority order. Slots are held by
 * long streams the test ends itself (closing a stream aborts its request), so the outcome does not
 * depend on how fast a loaded machine runs the test.
 */
class SchedulingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Occupies one running slot (and 126 KV blocks) until closed; at time scale 0.5 that is up to 12 s. */
    private static InputStream holdSlot(SimHttp http, SimulatedEngine engine, int expectedRunning) throws Exception {
        ObjectNode body = SimHttp.completion("hold a slot", 2_000);
        body.put("stream", true);
        InputStream in = http.postStreaming("/v1/completions", body).body();
        SimHttp.awaitTrue(() -> engine.stats().running() == expectedRunning, WAIT);
        return in;
    }

    @Test
    void aFullWaitingQueueAnswers429InOpenAiFormat() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.5).jitterFraction(0)
                .maxRunning(1).maxWaiting(1).build())) {
            SimHttp http = new SimHttp(engine);
            InputStream slot = holdSlot(http, engine, 1);
            var queued = http.postAsync("/v1/completions", SimHttp.completion("second", 2));
            SimHttp.awaitTrue(() -> engine.stats().waiting() == 1, WAIT);

            HttpResponse<String> rejected = http.post("/v1/completions", SimHttp.completion("third", 2));
            assertThat(rejected.statusCode()).isEqualTo(429);
            JsonNode error = SimHttp.json(rejected).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(429);
            assertThat(error.get("type").asText()).isEqualTo("TooManyRequestsError");
            assertThat(error.get("message").asText()).contains("queue");
            assertThat(engine.stats().requestsRejected()).isEqualTo(1);

            slot.close();
            assertThat(queued.get().statusCode()).isEqualTo(200);
            assertThat(http.post("/v1/completions", SimHttp.completion("fourth", 2)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void atMostMaxRunningSequencesRunTogether() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.5).jitterFraction(0)
                .maxRunning(3).build())) {
            SimHttp http = new SimHttp(engine);
            List<InputStream> slots = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                slots.add(holdSlot(http, engine, i));
            }
            List<CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                queued.add(http.postAsync("/v1/completions", SimHttp.completion("req " + i, 4)));
            }
            SimHttp.awaitTrue(() -> engine.stats().waiting() == 2, WAIT);
            assertThat(engine.stats().running()).isEqualTo(3);
            for (InputStream slot : slots) {
                slot.close();
            }
            for (var f : queued) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
            SimHttp.awaitTrue(() -> engine.stats().running() == 0, WAIT);
            assertThat(engine.stats().requestsCompleted()).isEqualTo(2);
            assertThat(engine.stats().requestsAborted()).isEqualTo(3);
        }
    }

    /** Queues requests one by one behind a held slot, releases it, and returns the order they finished in. */
    private static List<String> finishOrder(SimulatedEngine engine, List<ObjectNode> bodies) throws Exception {
        SimHttp http = new SimHttp(engine);
        InputStream slot = holdSlot(http, engine, 1);
        List<String> finished = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            String name = bodies.get(i).get("prompt").asText();
            all.add(http.postAsync("/v1/completions", bodies.get(i)).thenAccept(r -> finished.add(name)));
            int expected = i + 1;
            SimHttp.awaitTrue(() -> engine.stats().waiting() == expected, WAIT);
        }
        slot.close();
        for (var f : all) {
            f.get();
        }
        return finished;
    }

    @Test
    void priorityPolicyRunsLowerPriorityValuesFirstThenArrivalOrder() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.5).jitterFraction(0)
                .maxRunning(1).schedulingPolicy(SchedulingPolicy.PRIORITY).build())) {
            List<ObjectNode> bodies = new ArrayList<>();
            int[] priorities = {5, 1, 3};
            for (int i = 0; i < priorities.length; i++) {
                // 60 tokens = 370 ms each, so the client sees them finish in run order even on a busy machine.
                ObjectNode body = SimHttp.completion("p" + priorities[i] + "#" + i, 60);
                body.put("priority", priorities[i]);
                bodies.add(body);
            }
            assertThat(finishOrder(engine, bodies)).containsExactly("p1#1", "p3#2", "p5#0");
        }
    }

    @Test
    void latencyStretchesLinearlyWithTheBatchUpToTheLoadFactor() {
        LatencyModel model = new LatencyModel(SimulatorConfig.builder().jitterFraction(0).build());
        assertThat(model.stretch(1)).isEqualTo(1.0);
        assertThat(model.stretch(16)).isEqualTo(2.0);
        assertThat(model.stretch(6)).isEqualTo(1.0 + 5.0 / 15);
        assertThat(model.stretch(100)).as("capped at max concurrency").isEqualTo(2.0);
        assertThat(model.prefillNanos(1000, 1)).isEqualTo(280_000_000L);    // 30 + 1000 x 0.25 ms
        assertThat(model.interTokenNanos(16)).isEqualTo(24_000_000L);      // 12 ms x 2
        LatencyModel scaled = new LatencyModel(SimulatorConfig.builder().jitterFraction(0).timeScale(0.01).build());
        assertThat(scaled.interTokenNanos(1)).isEqualTo(120_000L);
        LatencyModel instant = new LatencyModel(SimulatorConfig.builder().timeScale(0).build());
        assertThat(instant.prefillNanos(5000, 16)).isZero();
    }

    @Test
    void aFullBatchDecodesSlowerThanALoneSequence() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.2).jitterFraction(0)
                .maxRunning(8).loadFactor(3.0).build())) {
            SimHttp http = new SimHttp(engine);
            LatencyHistogram itl = engine.stats().interTokenLatency;
            http.post("/v1/completions", SimHttp.completion("alone", 30));
            double aloneMean = itl.sum() / itl.count();
            double sumBefore = itl.sum();
            long countBefore = itl.count();
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                batch.add(http.postAsync("/v1/completions", SimHttp.completion("crowd " + i, 30)));
            }
            for (var f : batch) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
            double crowdMean = (itl.sum() - sumBefore) / (itl.count() - countBefore);
            // Alone: 12 ms x 0.2 = 2.4 ms per token. Eight together: up to 3x that.
            assertThat(aloneMean).isCloseTo(0.0024, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(crowdMean).isGreaterThan(aloneMean * 1.8).isLessThanOrEqualTo(aloneMean * 3.0 + 1e-9);
        }
    }
}
