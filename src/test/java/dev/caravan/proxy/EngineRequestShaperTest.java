package dev.caravan.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What one engine receives: vLLM fields implied by the workflow, and nothing it should not see. */
class EngineRequestShaperTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final VllmPriorityMapping priorities = new VllmPriorityMapping();
    private final EngineRequestShaper shaper = new EngineRequestShaper(mapper, false,
            wf -> wf == null ? priorities.plainPriority() : priorities.toVllm(wf.workflowPriority()));
    private final Engine fcfs = new Engine("a", URI.create("http://127.0.0.1:1"), Set.of(), Map.of(), false);
    private final Engine priority = new Engine("b", URI.create("http://127.0.0.1:2"), Set.of(), Map.of(), true);

    /** As the parser hands it on: the tree and the client's own bytes. */
    private CompletionCall request(String json, WorkflowMetadata wf, boolean stream) throws Exception {
        ObjectNode body = (ObjectNode) mapper.readTree(json);
        return new CompletionCall("/v1/chat/completions", body, stream,
                new PlacementRequest("r1", "m", "p", wf, null, Set.of()), json.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode shaped(CompletionCall r, Engine e) throws Exception {
        return mapper.readTree(shaper.shape(r, e).body());
    }

    @Test
    void workflowPriorityBecomesVllmPriorityOnlyOnPriorityEngines() throws Exception {
        WorkflowMetadata wf = new WorkflowMetadata("w", "a", null, 2.0, ContextSharingStrategy.AUTO, Map.of());
        CompletionCall r = request("{\"model\":\"m\",\"workflow_metadata\":{\"workflow_id\":\"w\"}}", wf, false);
        assertThat(shaped(r, priority).get("priority").asInt()).isEqualTo(80);
        assertThat(shaped(r, fcfs).has("priority")).isFalse();
        CompletionCall plain = request("{\"model\":\"m\"}", null, false);
        assertThat(shaped(plain, priority).get("priority").asInt()).isEqualTo(90);
        CompletionCall own = request("{\"model\":\"m\",\"priority\":3}", wf, false);
        assertThat(shaped(own, priority).get("priority").asInt()).isEqualTo(3);
        CompletionCall plainOwn = request("{\"model\":\"m\",\"priority\":7}", null, false);
        assertThat(shaped(plainOwn, priority).get("priority").asInt()).isEqualTo(7);
    }

    @Test
    void aBodyNeedingNoChangeIsForwardedAsTheClientsOwnBytes() throws Exception {
        String json = "{\"model\": \"m\",  \"max_tokens\": 2}";
        assertThat(shaper.shape(request(json, null, false), fcfs).body()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        String asked = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        assertThat(shaper.shape(request(asked, null, true), fcfs).body()).isEqualTo(asked.getBytes(StandardCharsets.UTF_8));
        // a priority engine needs the plain priority, which the client's bytes lack
        assertThat(shaper.shape(request(json, null, false), priority).body()).isNotEqualTo(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void isolatedWorkflowGetsCacheSaltAndMetadataIsStripped() throws Exception {
        WorkflowMetadata wf = new WorkflowMetadata("iso", "a", null, 1.0, ContextSharingStrategy.NONE, Map.of());
        CompletionCall r = request("{\"model\":\"m\",\"workflow_metadata\":{\"workflow_id\":\"iso\"}}", wf, false);
        JsonNode out = shaped(r, fcfs);
        assertThat(out.get("cache_salt").asText()).isNotBlank();
        assertThat(out.has("workflow_metadata")).isFalse();
        WorkflowMetadata shared = new WorkflowMetadata("s", "a", null, 1.0, ContextSharingStrategy.AUTO, Map.of());
        assertThat(shaped(request("{\"model\":\"m\"}", shared, false), fcfs).has("cache_salt")).isFalse();
        // the client's body itself is untouched, so a retry elsewhere starts from the original
        assertThat(r.body().has("workflow_metadata")).isTrue();
    }

    @Test
    void streamsAskForUsageAndSayWhenTheGatewayDidIt() throws Exception {
        CompletionCall asked = request("{\"model\":\"m\",\"stream\":true}", null, true);
        EngineRequestShaper.Shaped s = shaper.shape(asked, fcfs);
        assertThat(s.gatewayAskedForUsage()).isTrue();
        assertThat(mapper.readTree(s.body()).get("stream_options").get("include_usage").asBoolean()).isTrue();
        CompletionCall own = request("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", null, true);
        assertThat(shaper.shape(own, fcfs).gatewayAskedForUsage()).isFalse();
    }
}
