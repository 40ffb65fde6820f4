package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.engines.Engine;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/** An engine that is stopped leaves the pool without a client error, and comes back when it is healthy. */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=4",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.engine-client.scrape-interval=200ms"})
class EngineStoppedTest extends GatewayTestSupport {

    private String body(String workflow) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello\",\"max_tokens\":2,"
                + "\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\"}}";
    }

    @Test
    void stoppedEngineLosesItsWorkflowsWithoutClientErrorsAndReturnsWhenHealthy() throws Exception {
        HttpResponse<String> first = post("/v1/completions", body("wf-stop"));
        String home = first.headers().firstValue("x-caravan-engine").orElseThrow();
        SimulatedEngine sim = simFor(home);
        int port = sim.port();
        sim.close();

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post("/v1/completions", body("wf-stop"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(home);
        }
        Engine engine = registry.byId(home).orElseThrow();
        long outBy = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine.isHealthy() && System.nanoTime() < outBy) {
            Thread.sleep(50);
        }
        assertThat(engine.isHealthy()).isFalse();
        assertThat(json(get("/health")).get("healthy_engines").asInt()).isEqualTo(3);
        com.fasterxml.jackson.databind.JsonNode status = json(get("/v1/workflows/wf-stop/status"));
        assertThat(status.get("assigned_engine").asText()).isNotEqualTo(home);
        assertThat(status.get("moves").get(0).get("from").asText()).isEqualTo(home);
        assertThat(status.get("moves").get(0).get("reason").asText()).isEqualTo("failover");

        try (SimulatedEngine restarted = SimulatedEngine.start(SimulatorConfig.builder().port(port).timeScale(0.1).build())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!engine.isHealthy() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(engine.isHealthy()).isTrue();
            assertThat(json(get("/health")).get("healthy_engines").asInt()).isEqualTo(4);
        }
    }
}
