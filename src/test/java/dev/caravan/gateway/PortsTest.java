package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * One port per concern: the API port (Vert.x) serves the routes and answers everything else in
 * OpenAI format; the management port (servlet container) serves actuator, Prometheus and Hawtio.
 * Same context as {@link WorkflowPlacementEndToEndTest}.
 */
@CamelSpringBootTest
@AutoConfigureObservability // metrics export (the Prometheus endpoint) is off in tests without it
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=4",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class PortsTest extends GatewayTestSupport {

    @Test
    void theTwoPortsDiffer() {
        assertThat(port).isPositive();
        assertThat(managementPort).isPositive().isNotEqualTo(port);
    }

    @Test
    void managementPortServesPrometheusHawtioAndJolokia() throws Exception {
        HttpResponse<String> prom = getManagement("/actuator/prometheus");
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(prom.body()).contains("caravan_engine_healthy{", "jvm_memory_used_bytes");
        assertThat(getManagement("/actuator/health").statusCode()).isEqualTo(200);
        HttpResponse<String> hawtio = getManagementAsOperator("/actuator/hawtio/");
        assertThat(hawtio.statusCode()).isEqualTo(200);
        assertThat(hawtio.body()).containsIgnoringCase("hawtio");
        assertThat(getManagementAsOperator("/actuator/jolokia/version").statusCode()).isEqualTo(200);
    }

    @Test
    void apiPortServesNoActuatorAndAnswersUnknownPathsInOpenAiFormat() throws Exception {
        for (String path : new String[] {"/actuator/prometheus", "/actuator/hawtio/", "/no/such/path", "/v1/nope"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            JsonNode error = json(r).get("error");
            assertThat(error.get("code").asText()).isEqualTo("not_found");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("message").asText()).contains(path);
        }
        assertThat(getManagement("/actuator/prometheus").body())
                .contains("caravan_error_responses_total{code=\"not_found\",route=\"none\",status=\"404\"}");
    }

    @Test
    void wrongMethodIs405InOpenAiFormat() throws Exception {
        for (String method : new String[] {"GET", "DELETE", "PUT"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(json(r).get("error").get("code").asText()).isEqualTo("method_not_allowed");
        }
        HttpResponse<String> post = post("/v1/models", "{}");
        assertThat(post.statusCode()).isEqualTo(405);
    }

    /**
     * The request head over Vert.x' limits (the defaults: 8 KB of headers, 4 KB of request line) is refused by
     * the HTTP decoder before any route: in OpenAI format, naming the limit, and the port serves the next request.
     */
    @Test
    void overLongHeadersAndRequestLinesAreRefusedInOpenAiFormat() throws Exception {
        HttpResponse<String> headers = http.send(HttpRequest.newBuilder(uri("/v1/models")).timeout(Duration.ofSeconds(30))
                .header("X-Filler", "h".repeat(9 * 1024)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertOpenAiError(headers, 431, "request_header_fields_too_large", "8192 bytes");
        assertThat(headers.headers().firstValue("connection")).hasValue("close");

        HttpResponse<String> line = get("/v1/models?q=" + "u".repeat(5 * 1024));
        assertOpenAiError(line, 414, "request_uri_too_long", "4096 bytes");

        HttpResponse<String> justUnder = http.send(HttpRequest.newBuilder(uri("/v1/models")).timeout(Duration.ofSeconds(30))
                .header("X-Filler", "h".repeat(7 * 1024)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(justUnder.statusCode()).as(justUnder.body()).isEqualTo(200);
        assertThat(get("/v1/models?q=" + "u".repeat(3 * 1024)).statusCode()).isEqualTo(200);
        // the same 8 KB on the management port (its servlet container's own 400): RequestHeadLimitsTest raises both
        assertThat(http.send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + managementPort + "/actuator/health"))
                .header("X-Filler", "m".repeat(9 * 1024)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);

        assertThat(getManagement("/actuator/prometheus").body())
                .contains("caravan_error_responses_total{code=\"request_header_fields_too_large\",route=\"none\",status=\"431\"}")
                .contains("caravan_error_responses_total{code=\"request_uri_too_long\",route=\"none\",status=\"414\"}");
    }

    /** Bytes that are not HTTP/1.1 at all get a 400 in OpenAI format too, not Vert.x' silent close. */
    @Test
    void aMalformedRequestHeadIs400InOpenAiFormat() throws Exception {
        String answer = RawHttp.exchange(port, "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400 ").containsIgnoringCase("connection: close")
                .contains("\"code\":\"invalid_request\"", "\"type\":\"invalid_request_error\"", "\"param\":null");
        assertThat(get("/v1/models").statusCode()).isEqualTo(200);
    }

    private void assertOpenAiError(HttpResponse<String> r, int status, String code, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode error = json(r).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("message").asText()).contains(messagePart);
    }

    @Test
    void managementPortDoesNotServeTheApi() throws Exception {
        assertThat(getManagementAsOperator("/v1/models").statusCode()).isEqualTo(404);
    }
}
