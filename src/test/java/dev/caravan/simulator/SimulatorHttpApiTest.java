package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Each endpoint answers in vLLM's shape. Time scale 0: no latency, only shapes matter here. */
class SimulatorHttpApiTest {

    private static SimulatedEngine engine;
    private static SimHttp http;

    @BeforeAll
    static void start() throws Exception {
        engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0)
                .models(java.util.List.of(SimulatorConfig.DEFAULT_MODEL, "llama-alias")).build());
        http = new SimHttp(engine);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void completionHasVllmShapeAndUsage() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", SimHttp.completion("Hello there, engine", 5));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = SimHttp.json(r);
        assertThat(body.get("id").asText()).matches("cmpl-[0-9a-f]{32}");
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.get("created").asLong()).isPositive();
        assertThat(body.get("model").asText()).isEqualTo(SimulatorConfig.DEFAULT_MODEL);
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("text").asText()).isNotBlank();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(choice.has("logprobs")).isTrue();
        JsonNode usage = body.get("usage");
        // BOS + "Hello" " there" "," " engine"
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(5);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(10);
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asInt()).isZero();
    }

    @Test
    void promptAsListOfOneStringAndAliasModelAreAccepted() throws Exception {
        ObjectNode body = SimHttp.completion("x", 3);
        body.putArray("prompt").add("Hello there, engine");
        body.put("model", "llama-alias");
        JsonNode r = SimHttp.json(http.post("/v1/completions", body));
        assertThat(r.get("model").asText()).isEqualTo("llama-alias");
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void chatCompletionHasVllmShape() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", SimHttp.chat("What is a KV cache?", 4));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = SimHttp.json(r);
        assertThat(body.get("id").asText()).matches("chatcmpl-[0-9a-f]{32}");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isNotBlank();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isGreaterThan(10);
    }

    @Test
    void maxCompletionTokensWinsAndAbsentMaxTokensStopsAtTheDefault() throws Exception {
        ObjectNode body = SimHttp.chat("hi", 50);
        body.put("max_completion_tokens", 3);
        assertThat(SimHttp.json(http.post("/v1/chat/completions", body)).get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        body.remove("max_completion_tokens");
        body.remove("max_tokens");
        JsonNode r = SimHttp.json(http.post("/v1/chat/completions", body));
        assertThat(r.get("usage").get("completion_tokens").asInt()).isEqualTo(engine.config().defaultMaxTokens());
        assertThat(r.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ObjectNode body = SimHttp.chat("hello", 2);
        body.putObject("workflow_metadata").put("workflow_id", "wf-1").put("agent", "planner");
        body.put("some_future_field", true);
        assertThat(http.post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownModelIs404LikeVllm() throws Exception {
        ObjectNode body = SimHttp.completion("hi", 2);
        body.put("model", "gpt-nope");
        HttpResponse<String> r = http.post("/v1/completions", body);
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode error = SimHttp.json(r).get("error");
        assertThat(error.get("message").asText()).isEqualTo("The model `gpt-nope` does not exist.");
        assertThat(error.get("type").asText()).isEqualTo("NotFoundError");
        assertThat(error.get("param").asText()).isEqualTo("model");
        assertThat(error.get("code").asInt()).isEqualTo(404);
    }

    @Test
    void malformedJsonIs400OpenAiError() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = SimHttp.json(r).get("error");
        assertThat(error.get("type").asText()).isEqualTo("BadRequestError");
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("message").asText()).contains("Malformed JSON");
    }

    @Test
    void wrongTypedOrOutOfRangeSamplingParametersAre400AsInVllm() throws Exception {
        String[][] bad = {
                {"temperature", "\"hot\""}, {"temperature", "-0.5"}, {"top_p", "0"}, {"top_p", "1.5"},
                {"top_p", "{}"}, {"n", "1.5"}, {"n", "[1]"}, {"stop", "42"}, {"stop", "[\"a\", 1]"},
                {"presence_penalty", "3"}, {"stream", "\"yes\""}, {"seed", "\"x\""}, {"top_k", "-2"}};
        for (String[] field : bad) {
            ObjectNode body = SimHttp.chat("hi", 2);
            body.set(field[0], SimHttp.JSON.readTree(field[1]));
            HttpResponse<String> r = http.post("/v1/chat/completions", body);
            assertThat(r.statusCode()).as(field[0] + "=" + field[1]).isEqualTo(400);
            JsonNode error = SimHttp.json(r).get("error");
            assertThat(error.get("type").asText()).isEqualTo("BadRequestError");
            assertThat(error.get("param").asText()).isEqualTo(field[0]);
        }
        String[][] good = {{"temperature", "0"}, {"temperature", "\"0.7\""}, {"top_p", "1"}, {"stop", "\"END\""},
                {"stop", "[\"a\", \"b\"]"}, {"n", "1"}, {"seed", "7"}, {"top_k", "-1"}, {"stream", "false"}};
        for (String[] field : good) {
            ObjectNode body = SimHttp.chat("hi", 2);
            body.set(field[0], SimHttp.JSON.readTree(field[1]));
            assertThat(http.post("/v1/chat/completions", body).statusCode()).as(field[0] + "=" + field[1]).isEqualTo(200);
        }
    }

    @Test
    void priorityUnderFcfsIs400AsInVllmButZeroIsFine() throws Exception {
        ObjectNode body = SimHttp.completion("hi", 2);
        body.put("priority", 3);
        HttpResponse<String> r = http.post("/v1/completions", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(r).get("error").get("message").asText())
                .isEqualTo("Got priority 3 but Priority scheduling is not enabled.");
        body.put("priority", 0);
        assertThat(http.post("/v1/completions", body).statusCode()).isEqualTo(200);
    }

    @Test
    void tooLongRequestIs400() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", SimHttp.completion("hi", engine.config().maxModelLen()));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(SimHttp.json(r).get("error").get("message").asText()).contains("maximum context length");
    }

    @Test
    void modelsListsEveryServedNameInVllmShape() throws Exception {
        JsonNode body = SimHttp.json(http.get("/v1/models"));
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(2);
        JsonNode m = body.get("data").get(0);
        assertThat(m.get("id").asText()).isEqualTo(SimulatorConfig.DEFAULT_MODEL);
        assertThat(m.get("object").asText()).isEqualTo("model");
        assertThat(m.get("owned_by").asText()).isEqualTo("vllm");
        assertThat(m.get("root").asText()).isEqualTo(SimulatorConfig.DEFAULT_MODEL);
        assertThat(m.get("parent").isNull()).isTrue();
        assertThat(m.get("max_model_len").asInt()).isEqualTo(engine.config().maxModelLen());
        assertThat(body.get("data").get(1).get("id").asText()).isEqualTo("llama-alias");
    }

    @Test
    void healthAndVersion() throws Exception {
        HttpResponse<String> health = http.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEmpty();
        assertThat(SimHttp.json(http.get("/version")).get("version").asText()).isEqualTo("0.11.0");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() throws Exception {
        ObjectNode req = SimHttp.JSON.createObjectNode().put("model", SimulatorConfig.DEFAULT_MODEL).put("prompt", "Hello there, engine");
        JsonNode tok = SimHttp.json(http.post("/tokenize", req));
        assertThat(tok.get("count").asInt()).isEqualTo(5);
        assertThat(tok.get("max_model_len").asInt()).isEqualTo(engine.config().maxModelLen());
        assertThat(tok.get("tokens")).hasSize(5);
        ObjectNode de = SimHttp.JSON.createObjectNode();
        de.set("tokens", tok.get("tokens"));
        assertThat(SimHttp.json(http.post("/detokenize", de)).get("prompt").asText())
                .isEqualTo("<|begin_of_text|>Hello there, engine");
    }

    @Test
    void tokenizeMessagesCountsWhatChatCompletionsBills() throws Exception {
        ObjectNode chat = SimHttp.chat("Count me", 1);
        ObjectNode req = SimHttp.JSON.createObjectNode();
        req.set("messages", chat.get("messages"));
        int counted = SimHttp.json(http.post("/tokenize", req)).get("count").asInt();
        int billed = SimHttp.json(http.post("/v1/chat/completions", chat)).get("usage").get("prompt_tokens").asInt();
        assertThat(counted).isEqualTo(billed);
    }

    @Test
    void embeddingsAreDeterministicUnitVectors() throws Exception {
        ObjectNode req = SimHttp.JSON.createObjectNode().put("model", SimulatorConfig.DEFAULT_MODEL);
        req.putArray("input").add("first text").add("second text");
        JsonNode a = SimHttp.json(http.post("/v1/embeddings", req));
        JsonNode b = SimHttp.json(http.post("/v1/embeddings", req));
        assertThat(a.get("object").asText()).isEqualTo("list");
        assertThat(a.get("data")).hasSize(2);
        JsonNode v = a.get("data").get(0).get("embedding");
        assertThat(v).hasSize(engine.config().embeddingDimensions());
        double norm = 0;
        for (JsonNode x : v) {
            norm += x.asDouble() * x.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(b.get("data")).isEqualTo(a.get("data"));
        assertThat(a.get("data").get(1).get("embedding")).isNotEqualTo(v);
        assertThat(a.get("usage").get("prompt_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        assertThat(http.get("/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(http.get("/v1/completions").statusCode()).isEqualTo(405);
    }
}
