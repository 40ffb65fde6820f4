package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The seed plan's configuration choices, end to end (issue 20): a workflow strategy other than
 * workflow-aware still tracks workflows; the plan's {@code model: "llama"} is an alias of the served model.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms",
        "caravan.workflow-support.routing.strategy=kvaware",
        "caravan.metrics.per-workflow=true", // the seed plan's workflow_id label, to see a workflow's series go
        "caravan.model-aliases[0].model=" + GatewayTestSupport.MODEL,
        "caravan.model-aliases[0].aliases[0]=llama",
        "caravan.model-aliases[0].aliases[1]=llama-3.1-8b"})
class PlanConfigurationCompatibilityTest extends GatewayTestSupport {

    private static final String CHAT = "/v1/chat/completions";

    // ---- 7. workflows are tracked whatever the strategy ----

    @Test
    void withTheKvawareStrategyWorkflowsAreStillTrackedAndExported() throws Exception {
        HttpResponse<String> r = post(CHAT, WorkflowPlacementEndToEndTest.request("kv strategy", 2,
                WorkflowPlacementEndToEndTest.wf("kv-wf", "analyzer")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String engine = r.headers().firstValue("x-caravan-engine").orElseThrow();
        post(CHAT, WorkflowPlacementEndToEndTest.request("kv strategy again", 2,
                WorkflowPlacementEndToEndTest.wf("kv-wf", "summarizer")));

        HttpResponse<String> status = get("/v1/workflows/kv-wf/status");
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode s = json(status);
        assertThat(s.get("active_agents").asInt()).isEqualTo(2);
        assertThat(s.get("total_requests").asInt()).isEqualTo(2);
        assertThat(s.get("assigned_engine").asText()).isIn(engine, "sim-0", "sim-1");
        assertThat(json(get("/v1/workflows/stats")).get("live_workflows").asInt()).isPositive();

        String series = "vllm_workflow_requests_total{agent_id=\"analyzer\",workflow_id=\"kv-wf\"}";
        assertThat(getManagement("/actuator/prometheus").body()).contains(series)
                .containsPattern("vllm_active_workflows [1-9]");
        // the series go when the workflow ends, as with workflow-aware placement
        HttpResponse<String> del = http.send(HttpRequest.newBuilder(uri("/v1/workflows/kv-wf")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(getManagement("/actuator/prometheus").body()).doesNotContain(series);
    }

    // ---- 8. model aliases ----

    @Test
    void theSeedPlansTestModelLlamaIsAnAliasAndTheEngineGetsItsServedName() throws Exception {
        // the plan's own test request, unchanged
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"llama\",\"prompt\":\"Analyze data\","
                + "\"max_tokens\":100,\"workflow_metadata\":{\"workflow_id\":\"test-workflow-123\",\"agent_id\":\"analyzer\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // the simulated engine refuses names it does not serve: it was sent the served name
        assertThat(json(r).get("model").asText()).isEqualTo(MODEL);
        HttpResponse<String> chat = post(CHAT, WorkflowPlacementEndToEndTest.request("hi", 2, null)
                .replace(MODEL, "llama-3.1-8b").replace("\"max_tokens\":2", "\"max_tokens\":2,\"stream\":true"));
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.body()).contains("\"model\":\"" + MODEL + "\"").doesNotContain("\"error\"");
        HttpResponse<String> tokenize = post("/tokenize", "{\"model\":\"llama\",\"prompt\":\"hello there\"}");
        assertThat(tokenize.statusCode()).as(tokenize.body()).isEqualTo(200);
    }

    @Test
    void anUnknownModelIs404NamingTheServedModelsAndAliases() throws Exception {
        HttpResponse<String> r = post(CHAT, WorkflowPlacementEndToEndTest.request("hi", 2, null).replace(MODEL, "gpt-5"));
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode error = json(r).get("error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(error.get("param").asText()).isEqualTo("model");
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.get("message").asText()).contains("'gpt-5'", "served models: " + MODEL, "llama -> " + MODEL);
    }
}
