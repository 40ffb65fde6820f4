package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A message the gateway answered "sent" for is in the journal: stop the whole application, start
 * it again on the same data directory, and the messages (including one that was leased and never
 * acknowledged) are delivered.
 */
class BrokerRestartDurabilityTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void acknowledgedSendsSurviveARestart() throws Exception {
        String wf = "durable-" + System.nanoTime();
        List<String> sent = new ArrayList<>();
        try (ConfigurableApplicationContext app = start()) {
            for (int i = 0; i < 3; i++) {
                JsonNode receipt = mapper.readTree(post(app, "/v1/workflows/" + wf + "/messages",
                        "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"i\":" + i + "}}"));
                sent.add(receipt.get("message_id").asText());
            }
            JsonNode leased = mapper.readTree(get(app, "/v1/workflows/" + wf + "/agents/b/messages?timeout=2&max_messages=1&ack=manual&visibility_timeout=60"));
            assertThat(leased.get("count").asInt()).isEqualTo(1);
        }
        try (ConfigurableApplicationContext app = start()) {
            JsonNode inbox = mapper.readTree(get(app, "/v1/workflows/" + wf + "/agents/b/messages?timeout=5&max_messages=10"));
            List<String> received = new ArrayList<>();
            inbox.get("messages").forEach(m -> received.add(m.get("id").asText()));
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(inbox.get("messages").get(0).get("payload").has("i")).isTrue();
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0",
                "--caravan.messaging.data-dir=" + dataDir,
                "--caravan.messaging.acceptor.enabled=false",
                "--camel.main.routes-reload-enabled=false");
    }

    private String post(ConfigurableApplicationContext app, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(app, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private String get(ConfigurableApplicationContext app, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(app, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static URI uri(ConfigurableApplicationContext app, String path) {
        return URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + path);
    }
}
