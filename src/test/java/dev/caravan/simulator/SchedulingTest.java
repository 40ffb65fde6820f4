package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Continuous batching limits, the bounded waiting queue and priority order. */
class SchedulingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aFullWaitingQueueAnswers429InOpenAiFormat() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.05).jitterFraction(0)
                .maxRunning(1).maxWaiting(1).build())) {
            SimHttp http = new SimHttp(engine);
            var running = http.postAsync("/v1/completions", SimHttp.completion("first", 1000));
            SimHttp.awaitTrue(() -> engine.stats().running() == 1, WAIT);
            var queued = http.postAsync("/v1/completions", SimHttp.completion("second", 2));
            SimHttp.awaitTrue(() -> engine.stats().waiting() == 1, WAIT);

            HttpResponse<String> rejected = http.post("/v1/completions", SimHttp.completion("third", 2));
            assertThat(rejected.statusCode()).isEqualTo(429);
            JsonNode error = SimHttp.json(rejected).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(429);
            assertThat(error.get("type").asText()).isNotBlank();
            assertThat(error.get("message").asText()).contains("queue");
            assertThat(engine.stats().requestsRejected()).isEqualTo(1);

            assertThat(running.get().statusCode()).isEqualTo(200);
            assertThat(queued.get().statusCode()).isEqualTo(200);
            assertThat(http.post("/v1/completions", SimHttp.completion("fourth", 2)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void atMostMaxRunningSequencesRunTogether() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.05).jitterFraction(0)
                .maxRunning(3).build())) {
            SimHttp http = new SimHttp(engine);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                all.add(http.postAsync("/v1/completions", SimHttp.completion("req " + i, 400)));
            }
            SimHttp.awaitTrue(() -> engine.stats().running() + engine.stats().waiting() == 5, WAIT);
            assertThat(engine.stats().running()).isEqualTo(3);
            assertThat(engine.stats().waiting()).isEqualTo(2);
            for (var f : all) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
            assertThat(engine.stats().running()).isZero();
            assertThat(engine.stats().requestsCompleted()).isEqualTo(5);
        }
    }

    @Test
    void priorityPolicyRunsLowerPriorityValuesFirstThenArrivalOrder() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.05).jitterFraction(0)
                .maxRunning(1).schedulingPolicy(SchedulingPolicy.PRIORITY).build())) {
            SimHttp http = new SimHttp(engine);
            var blocker = http.postAsync("/v1/completions", SimHttp.completion("blocker", 1000));
            SimHttp.awaitTrue(() -> engine.stats().running() == 1, WAIT);
            List<String> finished = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<?>> all = new ArrayList<>();
            int[] priorities = {5, 1, 3, 1};
            for (int i = 0; i < priorities.length; i++) {
                ObjectNode body = SimHttp.completion("p" + priorities[i] + " #" + i, 50);
                body.put("priority", priorities[i]);
                String name = "p" + priorities[i] + "#" + i;
                all.add(http.postAsync("/v1/completions", body).thenAccept(r -> finished.add(name)));
                int expected = i + 1;
                SimHttp.awaitTrue(() -> engine.stats().waiting() == expected, WAIT);
            }
            assertThat(blocker.get().statusCode()).isEqualTo(200);
            for (var f : all) {
                f.get();
            }
            assertThat(finished).containsExactly("p1#1", "p1#3", "p3#2", "p5#0");
        }
    }

    @Test
    void fcfsRunsInArrivalOrder() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.05).jitterFraction(0)
                .maxRunning(1).build())) {
            SimHttp http = new SimHttp(engine);
            var blocker = http.postAsync("/v1/completions", SimHttp.completion("blocker", 1000));
            SimHttp.awaitTrue(() -> engine.stats().running() == 1, WAIT);
            List<Integer> finished = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int id = i;
                all.add(http.postAsync("/v1/completions", SimHttp.completion("req " + i, 50)).thenAccept(r -> finished.add(id)));
                SimHttp.awaitTrue(() -> engine.stats().waiting() == id + 1, WAIT);
            }
            blocker.get();
            for (var f : all) {
                f.get();
            }
            assertThat(finished).containsExactly(0, 1, 2);
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
            long t0 = System.nanoTime();
            http.post("/v1/completions", SimHttp.completion("alone", 30));
            long aloneMs = (System.nanoTime() - t0) / 1_000_000;
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            t0 = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                batch.add(http.postAsync("/v1/completions", SimHttp.completion("crowd " + i, 30)));
            }
            for (var f : batch) {
                f.get();
            }
            long crowdMs = (System.nanoTime() - t0) / 1_000_000;
            // Alone: (30 + 29 x 12) x 0.2 = 76 ms. Full batch: up to 3x.
            assertThat(crowdMs).isGreaterThan((long) (aloneMs * 1.8));
        }
    }
}
