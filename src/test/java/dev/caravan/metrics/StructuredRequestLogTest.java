package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.gateway.GatewayTestSupport;
import java.net.http.HttpResponse;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** With Spring Boot's structured logging switched on, the request log line is JSON with its fields. */
@CamelSpringBootTest
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.2",
        "logging.structured.format.console=ecs",
        "logging.level.caravan.request=info"})
class StructuredRequestLogTest extends GatewayTestSupport {

    @Test
    void theRequestLineIsOneJsonObjectWithEveryField(CapturedOutput output) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"structured\"}],\"max_tokens\":3,\"stream\":true,"
                + "\"workflow_metadata\":{\"workflow_id\":\"json-wf\",\"agent_id\":\"writer\"}}");
        assertThat(r.statusCode()).isEqualTo(200);
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        JsonNode line = null;
        for (String l : output.getOut().split("\n")) {
            if (l.startsWith("{") && l.contains("\"request_id\":\"" + id + "\"")) {
                line = mapper.readTree(l);
            }
        }
        assertThat(line).as("a JSON request line in%n%s", output.getOut()).isNotNull();
        assertThat(line.get("workflow_id").asText()).isEqualTo("json-wf");
        assertThat(line.get("agent_id").asText()).isEqualTo("writer");
        assertThat(line.get("engine").asText()).isEqualTo("sim-0");
        assertThat(line.get("status").asText()).isEqualTo("200");
        assertThat(line.get("completion_tokens").asText()).isEqualTo("3");
        assertThat(line.get("ttft_ms").asDouble()).isPositive();
        assertThat(line.has("placement_reason")).isTrue();
        assertThat(line.at("/log/logger").asText()).isEqualTo("caravan.request");
    }
}
