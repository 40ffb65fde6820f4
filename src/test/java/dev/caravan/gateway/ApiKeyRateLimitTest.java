package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** {@code caravan.security.rate-limit}: each key its own budget per period, then OpenAI's 429 with Retry-After. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.security.api-keys=sk-rate-one,sk-rate-two",
        "caravan.security.rate-limit.requests=3",
        "caravan.security.rate-limit.period=20s"})
class ApiKeyRateLimitTest extends GatewayTestSupport {

    HttpResponse<String> models(String key) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/models")).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKeyPastItsBudgetGets429WithRetryAfterWhileAnotherKeyGoesOn() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(models("sk-rate-one").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = models("sk-rate-one");
        assertThat(limited.statusCode()).isEqualTo(429);
        JsonNode error = json(limited).get("error");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("type").asText()).isEqualTo("requests");
        assertThat(error.get("message").asText()).contains("3 requests per 20000 ms").doesNotContain("sk-rate");
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 20L);

        assertThat(models("sk-rate-two").statusCode()).as("another key has its own budget").isEqualTo(200);
        assertThat(models("sk-wrong").statusCode()).as("a wrong key is refused as such, not limited").isEqualTo(401);
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }
}
