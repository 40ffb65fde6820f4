package dev.caravan.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** One chat completion of one user message sent straight to a simulated engine, for tests that compare with its usage. */
final class SimulatorChat {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatorChat() {}

    /** @return the answer's {@code usage} object (prompt_tokens, prompt_tokens_details.cached_tokens, ...) */
    static JsonNode usage(HttpClient http, SimulatedEngine sim, String content) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", SimulatorConfig.DEFAULT_MODEL).put("max_tokens", 1);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(sim.baseUrl().resolve("/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("usage");
    }
}
