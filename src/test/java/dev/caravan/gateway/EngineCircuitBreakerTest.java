package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.engines.Engine;
import dev.caravan.simulator.SimulatedEngine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An engine that passes its health checks but fails every generation: each failed request is
 * retried elsewhere (the client sees 200s), then the engine's breaker opens and it is sent nothing,
 * not even the first try; once fixed it gets trial calls after {@code open-for} and is back in.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.05",
        "caravan.engine-client.circuit-breaker.window=10",
        "caravan.engine-client.circuit-breaker.minimum-calls=4",
        "caravan.engine-client.circuit-breaker.open-for=1500ms",
        "caravan.engine-client.circuit-breaker.half-open-calls=2"})
class EngineCircuitBreakerTest extends GatewayTestSupport {

    static String plain(int i) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + i + "\"}],\"max_tokens\":2}";
    }

    static String inWorkflow(String workflow) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"max_tokens\":2,"
                + "\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\"}}";
    }

    @Test
    void anEngineThatFailsItsWorkButPassesHealthChecksIsCutOffThenLetBackIn() throws Exception {
        SimulatedEngine sick = sims().get(0);
        Engine sickEngine = registry.all().stream().filter(e -> e.url().getPort() == sick.port()).findFirst().orElseThrow();
        // workflows whose home is the engine about to fall sick: their requests try it first
        java.util.List<String> homedThere = new java.util.ArrayList<>();
        for (int i = 0; homedThere.size() < 16 && i < 200; i++) {
            String wf = "cb-" + i;
            HttpResponse<String> r = post("/v1/chat/completions", inWorkflow(wf));
            if (r.headers().firstValue("x-caravan-engine").orElseThrow().equals(sickEngine.id())) homedThere.add(wf);
        }
        assertThat(homedThere).hasSize(16);
        sick.faults().failureRate(1.0);

        for (String wf : homedThere.subList(0, 6)) {
            HttpResponse<String> r = post("/v1/chat/completions", inWorkflow(wf));
            assertThat(r.statusCode()).as("retried on the healthy engine: " + r.body()).isEqualTo(200);
        }
        assertThat(breakers.state(sickEngine)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(sickEngine.isHealthy()).as("placement no longer chooses it").isFalse();
        assertThat(sickEngine.passesHealthChecks()).as("its /health still answers").isTrue();
        monitor.checkAll().join();
        assertThat(sickEngine.isHealthy()).as("a passing health check does not close the breaker").isFalse();

        long triedBefore = sick.stats().requestsReceived();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = post("/v1/chat/completions", plain(100 + i));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-caravan-placement").orElse("")).as("no failover: never tried").doesNotContain("failover");
        }
        assertThat(sick.stats().requestsReceived()).as("an open breaker sends it nothing").isEqualTo(triedBefore);

        sick.faults().failureRate(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> breakers.state(sickEngine) == CircuitBreaker.State.HALF_OPEN);
        assertThat(sickEngine.isHealthy()).as("half open: trial requests go to it").isTrue();
        for (String wf : homedThere.subList(6, 16)) {
            if (breakers.state(sickEngine) == CircuitBreaker.State.CLOSED) break;
            assertThat(post("/v1/chat/completions", inWorkflow(wf)).statusCode()).isEqualTo(200);
        }
        assertThat(breakers.state(sickEngine)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(sick.stats().requestsReceived()).isGreaterThan(triedBefore);
    }
}
