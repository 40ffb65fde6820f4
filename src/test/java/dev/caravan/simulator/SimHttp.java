package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Real HTTP over loopback against one simulated engine, as the gateway will talk to it. */
final class SimHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    SimHttp(SimulatedEngine engine) {
        this.base = engine.baseUrl();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, JsonNode body) throws IOException, InterruptedException {
        return post(path, JSON.writeValueAsString(body));
    }

    HttpResponse<InputStream> postStreaming(String path, JsonNode body) throws IOException, InterruptedException {
        return client.send(request(path, JSON.writeValueAsString(body)), HttpResponse.BodyHandlers.ofInputStream());
    }

    java.util.concurrent.CompletableFuture<HttpResponse<String>> postAsync(String path, JsonNode body) throws IOException {
        return client.sendAsync(request(path, JSON.writeValueAsString(body)), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    static com.fasterxml.jackson.databind.node.ObjectNode completion(String prompt, int maxTokens) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.put("model", SimulatorConfig.DEFAULT_MODEL);
        body.put("prompt", prompt);
        body.put("max_tokens", maxTokens);
        return body;
    }

    static com.fasterxml.jackson.databind.node.ObjectNode chat(String userMessage, int maxTokens) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.put("model", SimulatorConfig.DEFAULT_MODEL);
        body.putArray("messages").addObject().put("role", "user").put("content", userMessage);
        body.put("max_tokens", maxTokens);
        return body;
    }

    /** Reads SSE lines; each {@code data:} payload with the time it arrived. */
    static final class SseReader implements AutoCloseable {
        private final BufferedReader reader;

        SseReader(InputStream in) {
            this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }

        /** The next event's payload, or null at end of stream. */
        String next() throws IOException {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    return line.substring(6);
                }
            }
            return null;
        }

        List<String> rest() throws IOException {
            List<String> out = new ArrayList<>();
            String e;
            while ((e = next()) != null) {
                out.add(e);
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** A long text of distinct words, so its blocks hash apart from any other text's. */
    static String words(String tag, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : " ").append(tag).append(i);
        }
        return sb.toString();
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(5);
        }
    }
}
