package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Requests that clients of the seed plan and of production-stack's workflow PR send, answered as
 * those clients expect (issue 20). Same properties as {@link WorkflowPlacementEndToEndTest}, so the
 * two share one application context.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=4",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class PlanClientCompatibilityTest extends GatewayTestSupport {

    private static final String CHAT = "/v1/chat/completions";

    private static String chat(String prompt, String metadata) {
        return WorkflowPlacementEndToEndTest.request(prompt, 2, metadata);
    }

    private static String completion(String prompt, String metadata) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":2"
                + (metadata == null ? "" : ",\"workflow_metadata\":" + metadata) + "}";
    }

    private long liveWorkflows() throws Exception {
        return json(get("/v1/workflows/stats")).get("live_workflows").asLong();
    }

    // ---- 1. workflow_metadata without a workflow id is a plain request ----

    @Test
    void metadataWithoutWorkflowIdIsRoutedAsAPlainRequest() throws Exception {
        long before = liveWorkflows();
        String[] noId = {"{}", "{\"agent_id\":\"analyzer\"}", "{\"workflow_id\":null,\"agent_id\":\"analyzer\"}",
                "{\"workflow_id\":\"\"}", "{\"workflow_priority\":2.0,\"context_sharing_strategy\":\"auto\"}"};
        for (String md : noId) {
            HttpResponse<String> chat = post(CHAT, chat("no workflow here", md));
            assertThat(chat.statusCode()).as(md + ": " + chat.body()).isEqualTo(200);
            // placed by the plain policy (prefix-aware): never by a workflow's home
            assertThat(chat.headers().firstValue("x-caravan-placement").orElseThrow()).as(md)
                    .isNotIn("affinity", "spill", "spread");
            HttpResponse<String> legacy = post("/v1/completions", completion("no workflow here", md));
            assertThat(legacy.statusCode()).as(md + ": " + legacy.body()).isEqualTo(200);
        }
        assertThat(liveWorkflows()).as("nothing was registered as a workflow").isEqualTo(before);
        // the metadata is still checked: a wrong type stays a 400 naming the field
        HttpResponse<String> bad = post(CHAT, chat("x", "{\"workflow_priority\":\"high\"}"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).at("/error/param").asText()).isEqualTo("workflow_metadata.workflow_priority");
    }

    // ---- 2. completions accept any printable id; messaging keeps the queue-safe rule ----

    @Test
    void completionsAcceptAnyPrintableWorkflowIdAndTheStatusApiFindsIt() throws Exception {
        String[] ids = {"team.alpha", "run 7", "urn:job:42", "user@host", "org/repo", "ünïcödé-wf", "x".repeat(256)};
        for (String id : ids) {
            String md = "{\"workflow_id\":" + mapper.writeValueAsString(id) + ",\"agent_id\":\"a.b@c\"}";
            HttpResponse<String> r = post(CHAT, chat("printable ids", md));
            assertThat(r.statusCode()).as(id + ": " + r.body()).isEqualTo(200);
            if (!id.contains("/")) { // a '/' cannot be part of the status path, even encoded
                HttpResponse<String> status = get("/v1/workflows/" + pathSegment(id) + "/status");
                assertThat(status.statusCode()).as(id + ": " + status.body()).isEqualTo(200);
                assertThat(json(status).get("workflow_id").asText()).isEqualTo(id);
            }
        }
        // the listing finds them all, the one with a '/' included
        JsonNode page = json(get("/v1/workflows?limit=500"));
        java.util.List<String> listed = new java.util.ArrayList<>();
        page.get("workflows").forEach(w -> listed.add(w.get("workflow_id").asText()));
        assertThat(listed).contains(ids);
    }

    @Test
    void idsStayInvalidWithControlCharactersOrBeyond256Characters() throws Exception {
        for (String id : new String[] {"a\u0001b", "line\nbreak", "x".repeat(257)}) {
            String md = "{\"workflow_id\":" + mapper.writeValueAsString(id) + "}";
            HttpResponse<String> r = post(CHAT, chat("bad ids", md));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            JsonNode error = json(r).get("error");
            assertThat(error.get("param").asText()).isEqualTo("workflow_metadata.workflow_id");
            assertThat(error.get("code").asText()).isEqualTo("invalid_value");
            assertThat(error.get("message").asText()).contains("printable");
        }
        assertThat(get("/v1/workflows/" + "x".repeat(257) + "/status").statusCode()).isEqualTo(400);
    }

    @Test
    void messagingRefusesIdsThatCannotNameAQueueAndSaysWhy() throws Exception {
        String id = "team.alpha";
        assertThat(post(CHAT, chat("a workflow with a dot", "{\"workflow_id\":\"team.alpha\"}")).statusCode())
                .isEqualTo(200);
        HttpResponse<String> send = post("/v1/workflows/" + id + "/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"k\":1}}");
        assertThat(send.statusCode()).isEqualTo(400);
        JsonNode error = json(send).get("error");
        assertThat(error.get("param").asText()).isEqualTo("workflow_id");
        assertThat(error.get("message").asText()).contains("letters, digits, '_' or '-'", "messaging", "broker queue");
        assertThat(get("/v1/workflows/" + id + "/agents/b/messages?timeout=0").statusCode()).isEqualTo(400);
        // ending such a workflow works (it never had queues)
        HttpResponse<String> del = http.send(java.net.http.HttpRequest.newBuilder(uri("/v1/workflows/" + id))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        assertThat(json(del).get("queues_removed").asInt()).isZero();
    }

    // ---- 4. assigned_instance is the engine URL, also for a workflow placed by lineage alone ----

    @Test
    void assignedInstanceIsTheEngineUrlWithTheEngineIdBesideIt() throws Exception {
        HttpResponse<String> r = post(CHAT, chat("instance urls", "{\"workflow_id\":\"url-wf\",\"agent_id\":\"a\"}"));
        String engine = r.headers().firstValue("x-caravan-engine").orElseThrow();
        JsonNode status = json(get("/v1/workflows/url-wf/status"));
        assertThat(status.get("assigned_instance").asText()).isEqualTo(registry.byId(engine).orElseThrow().url().toString())
                .startsWith("http://");
        assertThat(status.get("assigned_engine").asText()).isEqualTo(engine);
        assertThat(status.at("/agents/0/last_instance").asText()).isEqualTo(status.get("assigned_instance").asText());
        assertThat(status.at("/agents/0/last_engine").asText()).isEqualTo(engine);
    }

    @Test
    void aWorkflowPlacedOnlyByLineageReportsTheEngineItsLatestRequestWentTo() throws Exception {
        HttpResponse<String> parent = post(CHAT, chat("the parent's plan", null));
        String parentEngine = parent.headers().firstValue("x-caravan-engine").orElseThrow();
        String md = "{\"workflow_id\":\"lineage-only\",\"agent_id\":\"child\",\"parent_request_id\":\""
                + json(parent).get("id").asText() + "\"}";
        HttpResponse<String> child = post(CHAT, chat("the child's part", md));
        assertThat(child.headers().firstValue("x-caravan-placement")).contains("lineage");
        JsonNode status = json(get("/v1/workflows/lineage-only/status"));
        assertThat(status.get("assigned_engine").asText()).isEqualTo(parentEngine);
        assertThat(status.get("assigned_instance").asText())
                .isEqualTo(registry.byId(parentEngine).orElseThrow().url().toString());
    }

    // ---- 3. /v1/workflows/stats answers the PR's sections beside Caravan's totals ----

    @Test
    void statsAnswerThePrsSectionsAndCaravansTotals() throws Exception {
        HttpResponse<String> r = post(CHAT, chat("stats please", "{\"workflow_id\":\"stats-wf\",\"agent_id\":\"a\"}"));
        String engine = r.headers().firstValue("x-caravan-engine").orElseThrow();
        HttpResponse<String> sent = post("/v1/workflows/stats-wf/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"k\":1}}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        JsonNode stats = json(get("/v1/workflows/stats"));
        // Caravan's flat keys, unchanged
        assertThat(stats.fieldNames()).toIterable().contains("live_workflows", "max_workflows", "registered", "ended",
                "expired", "evicted", "total_requests", "cache_hits", "cache_hit_rate", "prompt_tokens",
                "cached_tokens", "cached_token_rate", "moves");
        // production-stack PR #625's sections with their keys
        JsonNode routing = stats.get("workflow_routing");
        assertThat(routing.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("total_requests", "cache_hits", "cache_hit_rate", "routing_decisions");
        assertThat(routing.get("total_requests").asLong()).isEqualTo(stats.get("total_requests").asLong());
        assertThat(routing.get("routing_decisions").asLong()).isPositive();
        JsonNode manager = stats.get("workflow_manager");
        assertThat(manager.fieldNames()).toIterable().containsExactlyInAnyOrder("total_workflows_created",
                "total_workflows_expired", "active_workflows", "total_agents", "avg_cache_hit_rate",
                "instance_distribution");
        assertThat(manager.get("active_workflows").asLong()).isEqualTo(stats.get("live_workflows").asLong());
        assertThat(manager.get("total_workflows_created").asLong()).isEqualTo(stats.get("registered").asLong());
        assertThat(manager.get("instance_distribution").get(registry.byId(engine).orElseThrow().url().toString())
                .asLong()).isPositive();
        JsonNode queue = stats.get("message_queue");
        assertThat(queue.fieldNames()).toIterable().containsExactlyInAnyOrder("total_queues", "total_messages_sent",
                "total_messages_received", "total_messages_expired", "queue_sizes", "max_queue_size",
                "total_pending_messages");
        assertThat(queue.get("queue_sizes").get("stats-wf:b").asLong()).isEqualTo(1);
        assertThat(queue.get("total_pending_messages").asLong()).isPositive();
        assertThat(queue.get("max_queue_size").asLong()).isPositive();
    }

    static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
