package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.cost.EngineCostModel;
import dev.caravan.simulator.SimulatorConfig;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The learnt cost of each engine, measured through the gateway on real streamed answers of simulated
 * engines, against the curve the simulator is known to follow.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.5",
        "caravan.engine-client.scrape-interval=200ms"})
class CostModelEndToEndTest extends GatewayTestSupport {

    @Autowired
    PlacementFactory placement;

    private final Random random = new Random(7);

    private String streamed(int words, int maxTokens) {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < words; i++) prompt.append("w").append(random.nextInt(1_000_000)).append(' ');
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"max_tokens\":" + maxTokens + ",\"stream\":true}";
    }

    @Test
    void afterTwoHundredAnswersEachEnginesModelIsWithinTwentyPercentOfTheSimulatorsCurve() throws Exception {
        // 200 streamed requests of unique prompts (nothing cached), 50 to 1,500 words, 3 at a time over 2 engines
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = streamed(50 + random.nextInt(1450), 8 + random.nextInt(24));
                sent.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return post("/v1/chat/completions", body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (CompletableFuture<HttpResponse<String>> f : sent) assertThat(f.get().statusCode()).isEqualTo(200);
        } finally {
            pool.shutdown();
        }

        for (int e = 0; e < sims().size(); e++) {
            SimulatorConfig c = sims().get(e).config();
            String id = simulated.engines().get(e).id();
            EngineCostModel model = placement.costModels().existing(id);
            assertThat(model.samples()).as(id).isGreaterThan(60);
            for (int tokens : new int[] {300, 1000, 2000}) {
                double truth = (c.prefillOverheadMs() + tokens * c.prefillPerTokenMs()) * c.timeScale() / 1000.0;
                assertThat(model.timeToFirstToken(tokens, 0, 0)).as(id + " TTFT of " + tokens + " tokens")
                        .isCloseTo(truth, within(0.2 * truth));
            }
            double itl = c.interTokenLatencyMs() * c.timeScale() / 1000.0;
            assertThat(model.interTokenLatency(1)).as(id + " ITL alone").isCloseTo(itl, within(0.2 * itl));
            assertThat(model.prefillQueued()).as(id + ": every answer's prefill left the queue").isZero();
        }
        // and /health shows the fitted coefficients
        JsonNode health = json(get("/health"));
        assertThat(health.get("engines").get(0).get("cost_model").get("samples").asLong()).isPositive();
    }
}
