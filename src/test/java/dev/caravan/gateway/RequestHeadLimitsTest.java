package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The request head limits are configurable: Spring Boot's {@code server.max-http-request-header-size} (as a
 * size) and {@code caravan.limits.max-request-line-length} (here as a plain number of bytes). The requests
 * PortsTest sees refused at the defaults pass; beyond the configured limits the answers name them.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "server.max-http-request-header-size=16KB",
        "caravan.limits.max-request-line-length=8192"})
class RequestHeadLimitsTest extends GatewayTestSupport {

    @Test
    void largerConfiguredLimitsLetTheSameRequestsThrough() throws Exception {
        HttpResponse<String> headers = withFiller(9 * 1024);
        assertThat(headers.statusCode()).as(headers.body()).isEqualTo(200);
        assertThat(headers.body()).contains(MODEL);
        HttpResponse<String> line = get("/v1/models?q=" + "u".repeat(5 * 1024));
        assertThat(line.statusCode()).as(line.body()).isEqualTo(200);

        String chat = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}";
        // Spring Boot applies its own property to the management port's servlet container too (Tomcat's default is 8 KB)
        HttpResponse<String> management = http.send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + managementPort
                + "/actuator/health")).header("X-Filler", "m".repeat(9 * 1024)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(management.statusCode()).as(management.body()).isEqualTo(200);

        HttpResponse<String> completion = post("/v1/chat/completions", chat, "X-Filler", "c".repeat(12 * 1024));
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
    }

    @Test
    void beyondTheConfiguredLimitsTheAnswersNameThem() throws Exception {
        HttpResponse<String> headers = withFiller(17 * 1024);
        assertThat(headers.statusCode()).isEqualTo(431);
        JsonNode error = json(headers).get("error");
        assertThat(error.get("code").asText()).isEqualTo("request_header_fields_too_large");
        assertThat(error.get("message").asText()).contains("16384 bytes");

        HttpResponse<String> line = get("/v1/models?q=" + "u".repeat(9 * 1024));
        assertThat(line.statusCode()).isEqualTo(414);
        assertThat(json(line).get("error").get("message").asText()).contains("8192 bytes");
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> withFiller(int bytes) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/models")).timeout(Duration.ofSeconds(30))
                .header("X-Filler", "h".repeat(bytes)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
