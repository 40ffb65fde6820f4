package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** {@code caravan.limits.max-tokens}: a request asking more is refused with the cap named; one asking nothing gets it. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.limits.max-tokens=8"})
class MaxTokensCapTest extends GatewayTestSupport {

    static String chat(String limits) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"write a lot\"}]" + limits + "}";
    }

    @Test
    void askingForMoreThanTheCapIsA400NamingItAndTheField() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(",\"max_tokens\":100"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = json(r).get("error");
        assertThat(error.get("code").asText()).isEqualTo("max_tokens_too_large");
        assertThat(error.get("param").asText()).isEqualTo("max_tokens");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("at most 8");

        HttpResponse<String> completion = post("/v1/chat/completions", chat(",\"max_completion_tokens\":9"));
        assertThat(completion.statusCode()).isEqualTo(400);
        assertThat(json(completion).get("error").get("param").asText()).isEqualTo("max_completion_tokens");

        HttpResponse<String> legacy = post("/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"go\",\"max_tokens\":1000}");
        assertThat(legacy.statusCode()).isEqualTo(400);
    }

    @Test
    void atTheCapItRunsAndWithoutALimitTheCapApplies() throws Exception {
        HttpResponse<String> at = post("/v1/chat/completions", chat(",\"max_tokens\":8"));
        assertThat(at.statusCode()).as(at.body()).isEqualTo(200);
        assertThat(json(at).at("/usage/completion_tokens").asInt()).isEqualTo(8);

        // the simulated engine writes 128 tokens when not told a limit: the gateway told it 8
        HttpResponse<String> unlimited = post("/v1/chat/completions", chat(""));
        assertThat(unlimited.statusCode()).as(unlimited.body()).isEqualTo(200);
        assertThat(json(unlimited).at("/usage/completion_tokens").asInt()).isEqualTo(8);
        assertThat(json(unlimited).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }
}
