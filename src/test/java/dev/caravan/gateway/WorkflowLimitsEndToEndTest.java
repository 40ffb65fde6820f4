package dev.caravan.gateway;

import static dev.caravan.gateway.WorkflowPlacementEndToEndTest.request;
import static dev.caravan.gateway.WorkflowPlacementEndToEndTest.wf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.CaravanApplication;
import dev.caravan.placement.admission.AdmissionQueue;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The bounds of workflow routing: priority under saturation, TTL expiry, the maxWorkflows cap, and
 * stateless replicas that agree on every workflow's home.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms",
        "caravan.workflow-support.ttl=10s",
        "caravan.workflow-support.max-workflows=5",
        "caravan.workflow-support.sweep-interval=200ms",
        "caravan.routing.saturation-per-engine=2"})
class WorkflowLimitsEndToEndTest extends GatewayTestSupport {

    @Autowired
    AdmissionQueue admission;

    @Test
    @Timeout(120)
    void higherPriorityIsServedFirstUnderSaturation() throws Exception {
        // both engines hold two requests each without answering: every slot is taken
        sims().forEach(sim -> sim.faults().stall(true));
        List<CompletableFuture<HttpResponse<String>>> blockers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blockers.add(send(request("block " + i, 50 + 100 * i, wf("blocker-" + i, "b"))));
        }
        awaitInFlight(4);
        ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(send(request("low " + i, 100, meta("low-" + i, 0.5))).thenApply(r -> record(order, "low", r)));
        }
        awaitQueued(3); // the low ones have waited longer
        for (int i = 0; i < 3; i++) {
            waiting.add(send(request("high " + i, 100, meta("high-" + i, 5.0))).thenApply(r -> record(order, "high", r)));
        }
        awaitQueued(6);
        // One engine starts answering: its two blockers end at least 240 ms apart, and each freed
        // slot admits one waiter, which then runs ~240 ms; so completions keep admission order
        // with gaps far wider than any client-side jitter.
        sims().get(0).faults().stall(false);
        for (int i = 0; i < 6; i++) {
            CompletableFuture.anyOf(waiting.stream().filter(f -> !f.isDone()).toArray(CompletableFuture[]::new)).get();
            if (order.stream().filter(s -> !s.equals("queued")).count() >= 6) {
                break;
            }
        }
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
        sims().get(1).faults().stall(false);
        for (CompletableFuture<HttpResponse<String>> f : blockers) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
        List<String> served = new ArrayList<>(order);
        assertThat(served).filteredOn(s -> s.equals("queued")).hasSize(6);
        List<String> admitted = served.stream().filter(s -> !s.equals("queued")).toList();
        assertThat(admitted).as("order %s", served).containsExactly("high", "high", "high", "low", "low", "low");
    }

    @Test
    void idleWorkflowsExpireAndTheCapEvictsTheLeastRecentlyActive() throws Exception {
        for (int i = 0; i < 7; i++) {
            assertThat(post("/v1/chat/completions", request("x", 1, wf("cap-" + i, "a"))).statusCode()).isEqualTo(200);
        }
        assertThat(json(get("/v1/workflows")).get("total").asInt()).isEqualTo(5);
        assertThat(get("/v1/workflows/cap-0/status").statusCode()).isEqualTo(404);
        assertThat(get("/v1/workflows/cap-6/status").statusCode()).isEqualTo(200);
        assertThat(json(get("/v1/workflows/stats")).get("evicted").asInt()).isGreaterThanOrEqualTo(2);

        Thread.sleep(11000);
        assertThat(get("/v1/workflows/cap-6/status").statusCode()).isEqualTo(404);
        assertThat(json(get("/v1/workflows")).get("total").asInt()).isZero();
    }

    @Test
    void twoIndependentGatewaysGiveEveryWorkflowTheSameHome() throws Exception {
        List<ConfigurableApplicationContext> replicas = new ArrayList<>();
        try {
            for (int r = 0; r < 2; r++) {
                List<String> args = new ArrayList<>(List.of("--server.port=0", "--caravan.routes-dir=routes",
                        "--spring.artemis.embedded.enabled=true", "--spring.jmx.enabled=false",
                        "--caravan.workflow-support.max-workflows=1000"));
                for (int i = 0; i < sims().size(); i++) {
                    args.add("--caravan.engines[" + i + "].url=" + sims().get(i).baseUrl());
                    args.add("--caravan.engines[" + i + "].id=" + simulated.engines().get(i).id());
                }
                replicas.add(new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new)));
            }
            Map<String, String> homesA = new HashMap<>();
            Map<String, String> homesB = new HashMap<>();
            for (int w = 0; w < 30; w++) {
                homesA.put("agree-" + w, homeVia(replicas.get(0), "agree-" + w));
                homesB.put("agree-" + w, homeVia(replicas.get(1), "agree-" + w));
            }
            assertThat(homesA).isEqualTo(homesB);
            assertThat(new java.util.HashSet<>(homesA.values())).hasSize(2);
        } finally {
            replicas.forEach(ConfigurableApplicationContext::close);
        }
    }

    private String homeVia(ConfigurableApplicationContext ctx, String workflow) throws Exception {
        String p = ctx.getEnvironment().getProperty("local.server.port"); // the API port
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(java.net.URI.create(
                        "http://localhost:" + p + "/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request("hi", 1, wf(workflow, "a")))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("x-caravan-engine").orElseThrow();
    }

    private static String meta(String workflow, double priority) {
        return "{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\",\"workflow_priority\":" + priority + "}";
    }

    private static HttpResponse<String> record(ConcurrentLinkedQueue<String> order, String what,
                                               HttpResponse<String> r) {
        order.add(what);
        if ("queue".equals(r.headers().firstValue("x-caravan-placement").orElse(""))) {
            order.add("queued");
        }
        return r;
    }

    private CompletableFuture<HttpResponse<String>> send(String body) {
        return http.sendAsync(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (admission.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(admission.size()).isEqualTo(n);
    }

    private void awaitInFlight(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (registry.all().stream().mapToInt(e -> e.inFlight()).sum() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
