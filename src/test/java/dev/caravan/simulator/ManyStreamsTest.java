package dev.caravan.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Over a hundred open streams at real-time speed (12-24 ms per token) are served by the engine loop and a few I/O threads, not a thread each. */
class ManyStreamsTest {

    @Test
    void openStreamsDoNotCostAThreadEach() throws Exception {
        int streams = 120;
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(1.0).jitterFraction(0)
                .maxRunning(streams).ioThreads(2).build())) {
            SimHttp http = new SimHttp(engine);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                ObjectNode body = SimHttp.completion("stream " + i, 80);
                body.put("stream", true);
                all.add(http.postAsync("/v1/completions", body));
            }
            SimHttp.awaitTrue(() -> engine.stats().running() >= streams * 2 / 3, Duration.ofSeconds(10));
            String prefix = "sim-" + engine.port() + "-";
            long simulatorThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(prefix)).count();
            assertThat(simulatorThreads).as("2 I/O threads + the engine loop").isLessThanOrEqualTo(3);
            for (var f : all) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).endsWith("data: [DONE]\n\n");
            }
            assertThat(engine.stats().requestsCompleted()).isEqualTo(streams);
            assertThat(engine.stats().generationTokens()).isEqualTo(80L * streams);
        }
    }
}
