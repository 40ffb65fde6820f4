package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
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

}
