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
 * workflow-aware still tracks workflows.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms",
        "caravan.workflow-support.routing.strategy=kvaware"})
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
}
