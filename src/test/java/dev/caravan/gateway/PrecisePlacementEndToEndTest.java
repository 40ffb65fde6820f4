package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.engines.Engine;
import dev.caravan.placement.kvevents.KvEventStream;
import dev.caravan.placement.kvevents.KvEventStreams;
import dev.caravan.simulator.SimulatedEngine;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Precise placement from KV events, seen from a client: two simulated engines publish their cache's
 * events, the gateway follows them, and its placement follows what the engines really hold (also
 * what it never sent them, and after they evicted what it did), falling back to its approximate
 * index while their streams are down.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0",
        "caravan.simulator.options.kv-cache-blocks=64",
        "caravan.simulator.options.kv-events-port=0",
        "caravan.simulator.options.kv-events-replay-port=0",
        "caravan.kv-events.timeout=500ms",
        "caravan.kv-events.probe-interval=100ms",
        "caravan.kv-events.tokenize-timeout=2s",
        "caravan.kv-events.recent-window=200ms",
        "caravan.engine-client.scrape-interval=200ms"})
class PrecisePlacementEndToEndTest extends GatewayTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    KvEventStreams streams;

    @BeforeEach
    void streamsHealthy() throws Exception {
        eventually("every engine's stream is healthy", () -> streams.streams().stream().allMatch(KvEventStream::healthy));
    }

    @AfterEach
    void unsilence() {
        sims().forEach(s -> s.kvEvents().silence(false));
    }

    private static String completion(String prompt) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":2}";
    }

    private HttpResponse<String> complete(String prompt) throws Exception {
        HttpResponse<String> r = post("/v1/completions", completion(prompt));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** Straight to a simulated engine, past the gateway (as another gateway replica would). */
    private void completeOn(SimulatedEngine sim, String prompt) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(prompt))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void placementFollowsWhatTheEnginesReportIncludingEvictions() throws Exception {
        String prompt = longText("precise", 120);
        HttpResponse<String> first = complete(prompt);
        assertThat(header(first, "x-caravan-prefix-match")).isEqualTo("precise");
        String x = header(first, "x-caravan-engine");
        HttpResponse<String> again = complete(prompt);
        assertThat(header(again, "x-caravan-engine")).isEqualTo(x);
        assertThat(header(again, "x-caravan-placement")).isEqualTo("prefix");
        assertThat(header(again, "x-caravan-prefix-match")).isEqualTo("precise");

        Engine ex = registry.byId(x).orElseThrow();
        Engine ey = registry.all().stream().filter(e -> !e.id().equals(x)).findFirst().orElseThrow();
        SimulatedEngine simX = simFor(ex.id());
        SimulatedEngine simY = simFor(ey.id());
        // The other engine gets the prompt without the gateway seeing it; the first one evicts it.
        completeOn(simY, prompt);
        for (int i = 0; i < 8; i++) completeOn(simX, longText("filler" + i, 120));
        assertThat(simX.cachedPrefixBlocks(prompt, null)).as("evicted on " + x).isZero();
        eventually("the index follows both engines", () -> simY.cachedPrefixBlocks(prompt, null) > 0
                && streams.index().blocksOf(ex.id()) == simX.stats().cachedBlocks()
                && streams.index().blocksOf(ey.id()) == simY.stats().cachedBlocks());

        Thread.sleep(300); // past recent-window: only the engines' events say where the prompt is
        HttpResponse<String> moved = complete(prompt);
        assertThat(header(moved, "x-caravan-engine")).as("the approximate index would have said " + x).isEqualTo(ey.id());
        assertThat(header(moved, "x-caravan-placement")).isEqualTo("prefix");
        assertThat(header(moved, "x-caravan-prefix-match")).isEqualTo("precise");
        assertThat(json(moved).at("/usage/prompt_tokens_details/cached_tokens").asInt()).isPositive();
    }

    @Test
    void chatPromptsAreTokenisedWithTheChatTemplate() throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + longText("chat", 100) + "\"}],\"max_tokens\":2}";
        HttpResponse<String> first = post("/v1/chat/completions", body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String engine = header(first, "x-caravan-engine");
        SimulatedEngine sim = simFor(engine);
        eventually("the chat prompt's blocks are indexed", () -> streams.index().blocksOf(engine) > 0
                && streams.index().blocksOf(engine) == sim.stats().cachedBlocks());
        HttpResponse<String> second = post("/v1/chat/completions", body);
        assertThat(header(second, "x-caravan-engine")).isEqualTo(engine);
        assertThat(header(second, "x-caravan-placement")).isEqualTo("prefix");
        assertThat(header(second, "x-caravan-prefix-match")).isEqualTo("precise");
        // Streamed, the request continues from the tokenising step's thread just the same.
        HttpResponse<String> streamed = post("/v1/chat/completions", body.replace("\"max_tokens\":2", "\"max_tokens\":2,\"stream\":true"));
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        assertThat(streamed.body()).contains("data: [DONE]");
        assertThat(header(streamed, "x-caravan-engine")).isEqualTo(engine);
        assertThat(header(streamed, "x-caravan-prefix-match")).isEqualTo("precise");
    }

    @Test
    void aDeadStreamFallsBackToTheApproximateIndexAndRecovers() throws Exception {
        sims().forEach(s -> s.kvEvents().silence(true));
        eventually("both streams unhealthy", () -> streams.streams().stream().noneMatch(KvEventStream::healthy));
        String prompt = longText("fallback", 60);
        HttpResponse<String> down = complete(prompt);
        assertThat(header(down, "x-caravan-prefix-match")).isEqualTo("approximate");
        HttpResponse<String> again = complete(prompt);
        assertThat(header(again, "x-caravan-engine")).as("the approximate index still works")
                .isEqualTo(header(down, "x-caravan-engine"));
        assertThat(header(again, "x-caravan-prefix-match")).isEqualTo("approximate");

        sims().forEach(s -> s.kvEvents().silence(false));
        // Healthy again is not yet caught up: the replay of what was published while silent may still be folding.
        eventually("both streams healthy again, the replay folded", () -> streams.streams().stream().allMatch(KvEventStream::healthy)
                && registry.all().stream().allMatch(e -> streams.index().blocksOf(e.id()) == simFor(e.id()).stats().cachedBlocks()));
        HttpResponse<String> back = complete(prompt);
        assertThat(header(back, "x-caravan-prefix-match")).isEqualTo("precise");
        assertThat(header(back, "x-caravan-engine")).as("what was published while silent was replayed")
                .isEqualTo(header(down, "x-caravan-engine"));
        assertThat(header(back, "x-caravan-placement")).isEqualTo("prefix");
    }

    @Test
    void theEventsAreMeteredPerEngine() throws Exception {
        complete(longText("metered", 30));
        String metrics = getManagement("/actuator/prometheus").body();
        assertThat(metrics).contains("caravan_kv_events_stream_healthy{engine=\"sim-0\"}")
                .contains("caravan_kv_events_index_blocks");
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

}
