package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
 * An engine with chunked prefill (one token budget per step, prefills served in turn) makes a request
 * wait for the prompts sent before it: its learnt cost model says so, from the prefill the gateway had
 * queued there when it sent each request.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.latency-profile=chunked-prefill",
        "caravan.simulator.options.max-num-batched-tokens=512",
        "caravan.simulator.options.time-scale=0.25",
        "caravan.engine-client.scrape-interval=200ms"})
class ChunkedPrefillCostTest extends GatewayTestSupport {

    @Autowired
    PlacementFactory placement;

    private final Random random = new Random(11);

    private String streamed(int words) {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < words; i++) prompt.append("w").append(random.nextInt(1_000_000)).append(' ');
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"max_tokens\":4,\"stream\":true}";
    }

    @Test
    void aRequestBehindQueuedPrefillIsPredictedToWaitForIt() throws Exception {
        // 200 unique prompts of 50 to 800 words, 4 at a time: each often arrives behind others' prefill
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = streamed(50 + random.nextInt(750));
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
        SimulatorConfig c = sims().get(0).config();
        EngineCostModel model = placement.costModels().existing(simulated.engines().get(0).id());
        // 2,000 tokens queued ahead: the engine computes them first, at its prefill speed
        double truth = 2000 * c.prefillPerTokenMs() * c.timeScale() / 1000.0;
        double learnt = model.timeToFirstToken(300, 1, 0, 2000) - model.timeToFirstToken(300, 1, 0, 0);
        assertThat(learnt).as("seconds a request waits behind 2,000 queued prompt tokens, truth " + truth)
                .isBetween(0.6 * truth, 1.4 * truth);
        assertThat(model.prefillQueued()).isZero();
    }
}
