package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.simulator.SimulatedEngine;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/** Workflow-aware placement seen from a client, over four simulated engines. */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=4",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class WorkflowPlacementEndToEndTest extends GatewayTestSupport {

    static String request(String prompt, int maxTokens, String metadata) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],"
                + "\"max_tokens\":" + maxTokens + (metadata == null ? "" : ",\"workflow_metadata\":" + metadata) + "}";
    }

    static String wf(String id, String agent) {
        return "{\"workflow_id\":\"" + id + "\",\"agent_id\":\"" + agent + "\"}";
    }

    @Test
    void fiveAgentsSharingAContextStayOnOneEngineAndReuseItsCache() throws Exception {
        String context = longText("report", 800);
        String[] agents = {"analyst", "reviewer", "critic", "editor", "summariser"};
        List<String> engines = new ArrayList<>();
        List<Long> cached = new ArrayList<>();
        for (String agent : agents) {
            HttpResponse<String> r = post("/v1/chat/completions",
                    request(context + " Now act as the " + agent + ".", 4, wf("five-agents", agent)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            engines.add(r.headers().firstValue("x-caravan-engine").orElseThrow());
            cached.add(json(r).get("usage").get("prompt_tokens_details").get("cached_tokens").asLong());
        }
        assertThat(engines).containsOnly(engines.get(0));
        assertThat(cached.get(0)).isZero();
        assertThat(cached.subList(1, 5)).allMatch(c -> c > 700);

        JsonNode status = json(get("/v1/workflows/five-agents/status"));
        assertThat(status.get("workflow_id").asText()).isEqualTo("five-agents");
        assertThat(status.get("assigned_engine").asText()).isEqualTo(engines.get(0));
        assertThat(status.get("assigned_instance").asText())
                .isEqualTo(registry.byId(engines.get(0)).orElseThrow().url().toString());
        assertThat(status.get("active_agents").asInt()).isEqualTo(5);
        assertThat(status.get("total_requests").asInt()).isEqualTo(5);
        assertThat(status.get("cache_hits").asInt()).isEqualTo(4);
        assertThat(status.get("cache_hit_rate").asDouble()).isEqualTo(0.8);
        assertThat(status.get("cached_tokens").asLong()).isEqualTo(cached.stream().mapToLong(Long::longValue).sum());
        assertThat(status.get("agents")).hasSize(5);
        assertThat(status.has("created_at")).isTrue();
        assertThat(status.has("last_updated")).isTrue();
    }

    @Test
    void twoHundredConcurrentWorkflowsSpreadEvenly() throws Exception {
        Map<String, Integer> perEngine = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = request("work item " + i, 30, wf("spread-" + i, "worker"));
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        HttpResponse<String> r = post("/v1/chat/completions", body);
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        perEngine.merge(r.headers().firstValue("x-caravan-engine").orElseThrow(), 1, Integer::sum);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdown();
        }
        assertThat(perEngine).hasSize(4);
        int max = perEngine.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(max / 50.0).as("max/mean of %s", perEngine).isLessThanOrEqualTo(1.25);
    }

    @Test
    void childFollowsItsParentsEngine() throws Exception {
        HttpResponse<String> parent = post("/v1/chat/completions", request("plan the work", 4, wf("lineage-parent", "planner")));
        String parentEngine = parent.headers().firstValue("x-caravan-engine").orElseThrow();
        String parentId = json(parent).get("id").asText();
        for (int i = 0; i < 8; i++) {
            // each child opens a workflow of its own, whose rendezvous home is anywhere
            String md = "{\"workflow_id\":\"lineage-child-" + i + "\",\"agent_id\":\"worker\",\"parent_request_id\":\""
                    + parentId + "\"}";
            HttpResponse<String> child = post("/v1/chat/completions", request("do part " + i, 2, md));
            assertThat(child.headers().firstValue("x-caravan-engine")).contains(parentEngine);
            assertThat(child.headers().firstValue("x-caravan-placement")).contains("lineage");
        }
    }

    @Test
    void isolatedWorkflowGetsCacheSaltAndSharesNoCache() throws Exception {
        String prompt = longText("shared", 300);
        // every engine holds the prompt's blocks unsalted
        for (SimulatedEngine sim : sims()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(sim.baseUrl().resolve("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request(prompt, 1, null))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        HttpResponse<String> plain = post("/v1/chat/completions", request(prompt, 1, null));
        assertThat(json(plain).get("usage").get("prompt_tokens_details").get("cached_tokens").asLong()).isPositive();

        String isolated = "{\"workflow_id\":\"salted\",\"agent_id\":\"a\",\"context_sharing_strategy\":\"none\"}";
        HttpResponse<String> salted = post("/v1/chat/completions", request(prompt, 1, isolated));
        assertThat(salted.statusCode()).isEqualTo(200);
        assertThat(json(salted).get("usage").get("prompt_tokens_details").get("cached_tokens").asLong()).isZero();
    }

    @Test
    void overloadedHomeSpillsThenComesBack() throws Exception {
        HttpResponse<String> first = post("/v1/chat/completions", request("hello", 2, wf("spill-wf", "a")));
        String home = first.headers().firstValue("x-caravan-engine").orElseThrow();
        SimulatedEngine sim = simFor(home);
        sim.faults().stall(true);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(http.sendAsync(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("x-session-id", "hold-" + i)
                    .POST(HttpRequest.BodyPublishers.ofString(request("hold " + i, 2, wf("spill-wf", "holder-" + i))))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        // the first holders go home and hang there; once home is overloaded the rest spill (these answers
        // are not streamed, so no time to first token is learnt and the load score decides)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (registry.byId(home).orElseThrow().inFlight() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        HttpResponse<String> spilled = post("/v1/chat/completions", request("hello again", 2, wf("spill-wf", "a")));
        assertThat(spilled.statusCode()).isEqualTo(200);
        assertThat(spilled.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(home);
        assertThat(spilled.headers().firstValue("x-caravan-placement")).contains("spill");

        sim.faults().stall(false);
        for (CompletableFuture<HttpResponse<String>> h : held) {
            assertThat(h.get().statusCode()).isEqualTo(200);
        }
        HttpResponse<String> back = post("/v1/chat/completions", request("hello once more", 2, wf("spill-wf", "a")));
        assertThat(back.headers().firstValue("x-caravan-engine")).contains(home);
        assertThat(json(get("/v1/workflows/spill-wf/status")).get("assigned_engine").asText()).isEqualTo(home);
    }

    @Test
    void workflowApiListsStatsAndDeletes() throws Exception {
        post("/v1/chat/completions", request("x", 1, wf("api-wf", "a")));
        JsonNode page = json(get("/v1/workflows?limit=500"));
        assertThat(page.get("total").asInt()).isPositive();
        List<String> ids = new ArrayList<>();
        page.get("workflows").forEach(w -> ids.add(w.get("workflow_id").asText()));
        assertThat(ids).contains("api-wf");
        JsonNode stats = json(get("/v1/workflows/stats"));
        assertThat(stats.get("live_workflows").asInt()).isPositive();
        assertThat(stats.get("total_requests").asInt()).isPositive();

        HttpResponse<String> sent = post("/v1/workflows/api-wf/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"k\":1}}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        HttpResponse<String> del = http.send(HttpRequest.newBuilder(uri("/v1/workflows/api-wf")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(json(del).get("queues_removed").asInt()).isGreaterThanOrEqualTo(1);
        HttpResponse<String> inbox = get("/v1/workflows/api-wf/agents/b/messages?timeout=0");
        assertThat(json(inbox).get("count").asInt()).isZero();
        HttpResponse<String> gone = get("/v1/workflows/api-wf/status");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).get("error").get("code").asText()).isEqualTo("workflow_not_found");
        // a control character (percent-encoded) stays invalid; a '.' is a valid id since issue 20
        assertThat(get("/v1/workflows/bad%01id/status").statusCode()).isEqualTo(400);
        assertThat(get("/v1/workflows?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void prometheusShowsRoutingAndWorkflowMetrics() throws Exception {
        post("/v1/chat/completions", request("metrics please", 1, wf("metrics-wf", "a")));
        String prom = getManagement("/actuator/prometheus").body();
        assertThat(prom).contains("caravan_requests_total{", "caravan_engine_healthy{", "caravan_cached_tokens_total",
                "vllm_workflow_requests_total{agent_id=\"a\"}", "vllm_active_workflows",
                "caravan_admission_queue_size", "caravan_prefix_index_entries", "caravan_prefix_index_forgotten_total");
        // the simulated engines' 1,024 blocks of 16 tokens, read from their /metrics
        assertThat(prom).containsPattern("caravan_engine_kv_cache_tokens\\{engine=\"sim-0\"[^}]*} 16384.0");
        // the index's model of each engine's cache is opt-in (caravan.routing.prefix.capacity-aware): 0 = not modelled
        assertThat(prom).containsPattern("caravan_prefix_index_capacity_blocks\\{engine=\"sim-0\"[^}]*} 0.0");
    }
}
