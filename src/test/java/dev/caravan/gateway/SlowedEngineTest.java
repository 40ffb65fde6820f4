package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.placement.PlacementFactory;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An engine that becomes twice as slow while it serves (a noisy neighbour, thermal throttling) is
 * learnt from its own answers and gets less of the new work within 30 seconds.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.3",
        "caravan.engine-client.scrape-interval=200ms"})
class SlowedEngineTest extends GatewayTestSupport {

    private record Answer(long atNanos, String engine) {}

    @Test
    void anEngineMadeTwiceAsSlowGetsLessOfTheNewWork() throws Exception {
        String slowed = simulated.engines().get(0).id();
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long slowAt = start + TimeUnit.SECONDS.toNanos(8);
        long end = slowAt + TimeUnit.SECONDS.toNanos(20);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.submit(() -> {
                Random random = new Random(client);
                while (System.nanoTime() < end) {
                    StringBuilder prompt = new StringBuilder();
                    for (int i = 0, n = 100 + random.nextInt(600); i < n; i++) prompt.append('w').append(random.nextInt(1_000_000)).append(' ');
                    String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                            + "\"}],\"max_tokens\":" + (8 + random.nextInt(24)) + ",\"stream\":true}";
                    HttpResponse<String> r = post("/v1/chat/completions", body);
                    assertThat(r.statusCode()).isEqualTo(200);
                    answers.add(new Answer(System.nanoTime(), r.headers().firstValue("x-caravan-engine").orElseThrow()));
                }
                return null;
            });
        }
        Thread.sleep(Math.max(0, (slowAt - System.nanoTime()) / 1_000_000));
        sims().get(0).faults().slowdown(2.0);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        List<Answer> before = answers.stream().filter(a -> a.atNanos() > start + TimeUnit.SECONDS.toNanos(3) && a.atNanos() < slowAt).toList();
        // what was placed from 10 s after the slowdown on, within 30 s of it
        List<Answer> after = answers.stream().filter(a -> a.atNanos() > slowAt + TimeUnit.SECONDS.toNanos(10)).toList();
        double shareBefore = before.stream().filter(a -> a.engine().equals(slowed)).count() / (double) before.size();
        double shareAfter = after.stream().filter(a -> a.engine().equals(slowed)).count() / (double) after.size();
        assertThat(before.size()).isGreaterThan(40);
        assertThat(after.size()).isGreaterThan(40);
        assertThat(shareBefore).as("share before the slowdown").isBetween(0.35, 0.65);
        assertThat(shareAfter).as("share of the slowed engine (before: %.2f)", shareBefore).isLessThan(shareBefore - 0.1);
        // the fit still holds some answers from before, and the slowed engine sent fewer new ones:
        // it is clearly above the other engine's, not yet at twice
        assertThat(placement.costModels().of(slowed).timeToFirstToken(1000, 0, 0))
                .isGreaterThan(1.15 * placement.costModels().of(simulated.engines().get(1).id()).timeToFirstToken(1000, 0, 0));
    }

    @Autowired
    private PlacementFactory placement;
}
