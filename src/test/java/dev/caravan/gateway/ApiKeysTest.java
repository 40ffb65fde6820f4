package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** With {@code caravan.security.api-keys}, the API answers only requests carrying one of them. */
@CamelSpringBootTest
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.security.api-keys=sk-caravan-alpha-0001,sk-caravan-beta-0002",
        "logging.level.caravan.request=info"})
class ApiKeysTest extends GatewayTestSupport {

    static final String CHAT = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"max_tokens\":2,\"workflow_metadata\":{\"workflow_id\":\"keyed\",\"agent_id\":\"a\"}}";

    @Test
    void withoutAnAcceptedKeyEveryApiPathIs401InOpenAisFormat() throws Exception {
        HttpResponse<String> none = post("/v1/chat/completions", CHAT);
        assertThat(none.statusCode()).isEqualTo(401);
        JsonNode error = json(none).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("Authorization: Bearer");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        HttpResponse<String> wrong = post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-caravan-alpha-0002");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).get("error").get("message").asText()).isEqualTo("Incorrect API key provided");
        assertThat(post("/v1/chat/completions", CHAT, "Authorization", "sk-caravan-alpha-0001").statusCode())
                .as("a key without the Bearer scheme").isEqualTo(401);

        assertThat(get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(get("/v1/workflows/keyed/status").statusCode()).isEqualTo(401);
        assertThat(post("/v1/workflows/keyed/messages", "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}")
                .statusCode()).isEqualTo(401);
        assertThat(post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":\"x\"}").statusCode()).isEqualTo(401);
        // probes need no key
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void eitherKeyIsAcceptedAndNeitherShowsInLogsOrMetrics(CapturedOutput output) throws Exception {
        for (String key : new String[] {"sk-caravan-alpha-0001", "sk-caravan-beta-0002"}) {
            // each key its own workflow: a workflow belongs to the key that first used it (WorkflowIsolationTest)
            HttpResponse<String> r = post("/v1/chat/completions", CHAT.replace("\"keyed\"", "\"keyed-" + key.substring(11, 15) + "\""),
                    "Authorization", "Bearer " + key);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(uri("/v1/models"))
                .header("Authorization", "bearer sk-caravan-beta-0002").timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(post("/v1/workflows/keyed/messages", "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}",
                "Authorization", "Bearer sk-caravan-alpha-0001").statusCode()).isEqualTo(200);

        String prom = getManagement("/actuator/prometheus").body();
        assertThat(prom).contains("code=\"invalid_api_key\"").doesNotContain("sk-caravan");
        assertThat(output.getOut()).contains("API key(s)").doesNotContain("sk-caravan");
    }
}
