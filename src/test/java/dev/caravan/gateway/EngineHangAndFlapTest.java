package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.simulator.SimulatedEngine;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Two engine faults, by what the client sees: an engine that accepts a request and never answers
 * (the response timeout ends the wait and the request, not yet begun for the client, is tried once
 * elsewhere), and an engine whose health flaps while requests flow (none of them fails).
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.05",
        "caravan.engine-client.response-timeout=1500ms",
        "caravan.engine-client.scrape-interval=100ms"})
class EngineHangAndFlapTest extends GatewayTestSupport {

    static String inWorkflow(String workflow, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"max_tokens\":2,"
                + (stream ? "\"stream\":true," : "")
                + "\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\"}}";
    }

    @Test
    void anEngineThatNeverAnswersTimesOutAndTheRequestIsServedElsewhere() throws Exception {
        SimulatedEngine hung = sims().get(0);
        String hungId = registry.all().stream().filter(e -> e.url().getPort() == hung.port()).findFirst().orElseThrow().id();
        hung.faults().stall(true);
        int failedOver = 0;
        for (int i = 0; i < 8; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = post("/v1/chat/completions", inWorkflow("hang-" + i, i % 2 == 1));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(hungId);
            if (r.headers().firstValue("x-caravan-placement").orElse("").contains("failover")) {
                failedOver++;
                assertThat(waitedMs).as("bounded by the response timeout, not hung").isBetween(1400L, 15_000L);
            }
            if (i % 2 == 1) assertThat(r.body()).contains("data: [DONE]");
        }
        assertThat(failedOver).as("some requests were tried on the hung engine first").isPositive();
        assertThat(getManagement("/actuator/prometheus").body())
                .containsPattern("caravan_engine_errors_total\\{[^}]*engine=\"" + hungId + "\"[^}]*kind=\"timeout\"[^}]*} [1-9]");
    }

    @Test
    void anEngineWhoseHealthFlapsCostsTheClientsNothing() throws Exception {
        SimulatedEngine flapping = sims().get(0);
        AtomicBoolean flap = new AtomicBoolean(true);
        Thread flipper = new Thread(() -> {
            boolean failing = false;
            while (flap.get()) {
                failing = !failing;
                flapping.faults().failHealth(failing);
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
            flapping.faults().failHealth(false);
        });
        flipper.start();
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                statuses.add(post("/v1/chat/completions", inWorkflow("flap-" + (i % 6), i % 2 == 0)).statusCode());
                Thread.sleep(20);
            }
        } finally {
            flap.set(false);
            flipper.join();
        }
        assertThat(statuses).as("every request answered while the engine flapped").containsOnly(200);
    }
}
