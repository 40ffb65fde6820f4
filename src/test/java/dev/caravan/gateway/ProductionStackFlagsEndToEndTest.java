package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The gateway started with the PR's router flags does what they say (issue 20). */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2"}, args = {
        "--routing-logic=workflow_aware", "--workflow-ttl=7200", "--max-workflows=50", "--batching-preference=0.9",
        "--max-message-queue-size=3", "--max-message-size=2048"})
class ProductionStackFlagsEndToEndTest extends GatewayTestSupport {

    @Autowired
    private WorkflowRegistry workflows;
    @Autowired
    private WorkflowSupportProperties workflowSupport;

    @Test
    void workflowFlagsSetTheRegistry() throws Exception {
        assertThat(workflows.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(workflows.maxWorkflows()).isEqualTo(50);
        assertThat(workflowSupport.getBatchingPreference()).isEqualTo(0.9);
        assertThat(json(get("/v1/workflows/stats")).get("max_workflows").asInt()).isEqualTo(50);
        HttpResponse<String> r = post("/v1/chat/completions", WorkflowPlacementEndToEndTest.request("flags", 2,
                WorkflowPlacementEndToEndTest.wf("flag-wf", "a")));
        assertThat(r.headers().firstValue("x-caravan-placement")).contains("affinity");
    }

    @Test
    void maxMessageQueueSizeBoundsEachAgentQueueByCount() throws Exception {
        String send = "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"n\":1}}";
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = post("/v1/workflows/flag-queue/messages", send);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        }
        HttpResponse<String> full = post("/v1/workflows/flag-queue/messages", send);
        assertThat(full.statusCode()).as(full.body()).isEqualTo(429);
        assertThat(json(full).at("/error/message").asText()).isNotBlank();
        // another agent's queue has its own bound
        assertThat(post("/v1/workflows/flag-queue/messages", send.replace("\"b\"", "\"c\"")).statusCode()).isEqualTo(200);
    }

    @Test
    void maxMessageSizeBoundsThePayload() throws Exception {
        String big = "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":\"" + "x".repeat(3000) + "\"}";
        HttpResponse<String> r = post("/v1/workflows/flag-size/messages", big);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    }
}
