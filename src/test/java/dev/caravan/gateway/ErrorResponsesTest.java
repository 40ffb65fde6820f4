package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.simulator.SimulatedEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Every way a request can be wrong, and what the client is told: OpenAI error bodies, right statuses. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=3",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class ErrorResponsesTest extends GatewayTestSupport {

    private static final String CHAT = "/v1/chat/completions";

    @Autowired
    private MeterRegistry meters;

    private static String chat(String extra) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2"
                + extra + "}";
    }

    private void assertError(HttpResponse<String> r, int status, String param, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode error = json(r).get("error");
        assertThat(error).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        }
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertError(post(CHAT, "{\"model\": \"x\", "), 400, null, "invalid_json");
        assertError(post(CHAT, "[1,2]"), 400, null, "invalid_json");
        assertError(post(CHAT, ""), 400, null, "invalid_json");
        // bytes after the object: the gateway refuses them rather than forwarding what the engine would refuse
        assertError(post(CHAT, chat("") + " {}"), 400, null, "invalid_json");
        assertError(post(CHAT, chat("") + "x"), 400, null, "invalid_json");
        assertThat(post(CHAT, chat("") + "\r\n").statusCode()).as("trailing whitespace is fine").isEqualTo(200);
    }

    @Test
    void missingOrWrongTypedFieldsAre400() throws Exception {
        assertError(post(CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "model",
                "missing_required_parameter");
        assertError(post(CHAT, "{\"model\":\"" + MODEL + "\"}"), 400, "messages", "missing_required_parameter");
        assertError(post(CHAT, chat(",\"stream\":\"yes\"")), 400, "stream", "invalid_type");
        assertError(post(CHAT, chat(",\"max_tokens\":-3").replace("\"max_tokens\":2,", "")), 400, "max_tokens",
                "invalid_type");
        assertError(post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":{}}"), 400, "prompt",
                "invalid_type");
        // a control character (a '.' is fine on completions: only the messaging endpoints refuse it)
        assertError(post(CHAT, chat(",\"workflow_metadata\":{\"workflow_id\":\"a\\u0001b\"}")), 400,
                "workflow_metadata.workflow_id", "invalid_value");
        assertError(post(CHAT, chat(",\"workflow_metadata\":{\"workflow_id\":\"w\",\"context_sharing_strategy\":\"x\"}")),
                400, "workflow_metadata.context_sharing_strategy", "invalid_value");
        assertError(post(CHAT, chat(",\"workflow_metadata\":\"w\"")), 400, "workflow_metadata", "invalid_type");
    }

    @Test
    void unknownPathsAndMethodsAnswerInTheSameFormat() throws Exception {
        assertError(get("/v1/no-such-endpoint"), 404, null, "not_found");
        assertError(get("/v1/chat/completions"), 405, null, "method_not_allowed");
    }

    @Test
    void unknownModelIs404() throws Exception {
        assertError(post(CHAT, chat("").replace(MODEL, "no-such-model")), 404, "model", "model_not_found");
    }

    @Test
    void operatorsSeeTheErrorsTheGatewayAnswered() throws Exception {
        double notFound = errorCount("chatCompletions", "404", "model_not_found");
        double badJson = errorCount("completions", "400", "invalid_json");
        double noRoute = errorCount("none", "404", "not_found");
        post(CHAT, chat("").replace(MODEL, "no-such-model"));
        post(CHAT, chat("").replace(MODEL, "no-such-model"));
        post("/v1/completions", "{");
        get("/v1/no-such-endpoint");
        assertThat(errorCount("chatCompletions", "404", "model_not_found")).isEqualTo(notFound + 2);
        assertThat(errorCount("completions", "400", "invalid_json")).isEqualTo(badJson + 1);
        assertThat(errorCount("none", "404", "not_found")).isEqualTo(noRoute + 1);
    }

    private double errorCount(String route, String status, String code) {
        Counter c = meters.find("caravan.error.responses").tags("route", route, "status", status, "code", code).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String huge = "x".repeat(11 * 1024 * 1024);
        assertError(post(CHAT, chat("").replace("\"hi\"", "\"" + huge + "\"")), 413, null, "request_too_large");
    }

    @Test
    void noHealthyEngineIs503WithRetryAfter() throws Exception {
        sims().forEach(s -> s.faults().failHealth(true));
        for (int i = 0; i < 10 && registry.anyHealthy(); i++) {
            monitor.checkAll().join(); // an engine leaves after consecutive failed checks
        }
        HttpResponse<String> r = post(CHAT, chat(""));
        assertError(r, 503, null, "no_healthy_engine");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(get("/health").statusCode()).isEqualTo(503);
    }

    @Test
    void engineClientErrorsPassThroughUnchanged() throws Exception {
        // the simulated engines run FCFS scheduling, where vLLM rejects the priority field
        HttpResponse<String> r = post(CHAT, chat(",\"priority\":5"));
        assertThat(r.statusCode()).isEqualTo(400);
        String engine = r.headers().firstValue("x-caravan-engine").orElseThrow();
        SimulatedEngine sim = simFor(engine);
        HttpResponse<String> direct = http.send(java.net.http.HttpRequest.newBuilder(
                        sim.baseUrl().resolve(CHAT)).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat(",\"priority\":5"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo(direct.body());
    }

    @Test
    void jsonWithoutContentTypeStillWorks() throws Exception {
        HttpResponse<String> formLabelled = post(CHAT, chat(""), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(formLabelled.statusCode()).as(formLabelled.body()).isEqualTo(200);
        HttpResponse<String> textLabelled = post(CHAT, chat(""), "Content-Type", "text/plain");
        assertThat(textLabelled.statusCode()).as(textLabelled.body()).isEqualTo(200);
    }

    @Test
    void responsesCarryEngineAndRequestIdAndNothingInternal() throws Exception {
        HttpResponse<String> r = post(CHAT, chat(""), "x-request-id", "my-trace-42", "X-Client-Secret", "s3cret");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).contains("my-trace-42");
        assertThat(r.headers().firstValue("x-caravan-engine")).isPresent();
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("camel")
                || h.toLowerCase().startsWith("jms") || h.equalsIgnoreCase("x-client-secret"));

        HttpResponse<String> generated = post(CHAT, chat(""));
        assertThat(generated.headers().firstValue("x-request-id").orElse("")).hasSize(32);

        HttpResponse<String> error = post(CHAT, "{", "X-Client-Secret", "s3cret");
        assertThat(error.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("camel")
                || h.equalsIgnoreCase("x-client-secret"));
    }

    @Test
    void modelsAreTheUnionOfTheEngines() throws Exception {
        JsonNode models = json(get("/v1/models"));
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo(MODEL);
        assertThat(models.get("data")).hasSize(1);
    }

    @Test
    void otherVllmEndpointsAreForwarded() throws Exception {
        HttpResponse<String> tok = post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello world\"}");
        assertThat(tok.statusCode()).isEqualTo(200);
        assertThat(json(tok).get("tokens").size()).isPositive();
        HttpResponse<String> emb = post("/v1/embeddings", "{\"model\":\"" + MODEL + "\",\"input\":\"hello\"}");
        assertThat(emb.statusCode()).as(emb.body()).isEqualTo(200);
        assertError(post("/tokenize", "{\"model\":\"nope\",\"prompt\":\"x\"}"), 404, "model", "model_not_found");
    }

    @Test
    void healthIsReadyWithEnginesAndBroker() throws Exception {
        HttpResponse<String> h = get("/health");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(json(h).get("broker").asText()).isEqualTo("up");
        assertThat(json(h).get("healthy_engines").asInt()).isEqualTo(3);
        // the simulated engines' KV cache (1,024 blocks of 16 tokens), as their /metrics report it
        assertThat(json(h).get("engines").get(0).get("kv_cache_tokens").asLong()).isEqualTo(16_384);
    }
}
