package dev.caravan.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;

/**
 * Sends streamed OpenAI chat completions ({@code stream: true} with usage) and measures at the
 * client: TTFT is the arrival of the first chunk that carries content, end-to-end the end of the
 * stream. Fully asynchronous, so thousands of open streams cost no thread each.
 */
final class StreamingChatClient {

    static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final URI endpoint;

    StreamingChatClient(URI baseUrl, ExecutorService executor) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.endpoint = baseUrl.resolve("/v1/chat/completions");
    }

    CompletableFuture<CallResult> send(ChatCall call, double startMs, long startNanos) {
        byte[] body = body(call);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (call.session() != null) b.header("x-session-id", call.session());
        Lines lines = new Lines(startNanos);
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.fromLineSubscriber(lines))
                .handle((resp, err) -> {
                    double e2e = (System.nanoTime() - startNanos) / 1e6;
                    if (err != null) {
                        return new CallResult(call.session(), call.phase(), startMs, -1, e2e, 0, null, null, null, -1, -1);
                    }
                    return new CallResult(call.session(), call.phase(), startMs, lines.ttftMs, e2e, resp.statusCode(),
                            lines.id, resp.headers().firstValue("x-caravan-engine").orElse(null),
                            resp.headers().firstValue("x-caravan-placement").orElse(null), lines.prompt, lines.cached);
                });
    }

    private byte[] body(ChatCall call) {
        ObjectNode root = json.createObjectNode();
        root.put("model", MODEL);
        ArrayNode msgs = root.putArray("messages");
        for (ChatCall.Message m : call.messages()) msgs.addObject().put("role", m.role()).put("content", m.content());
        root.put("max_tokens", call.maxTokens());
        root.put("temperature", 0);
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        if (call.workflow() != null) {
            ObjectNode md = root.putObject("workflow_metadata");
            md.put("workflow_id", call.workflow().workflowId());
            md.put("agent_id", call.workflow().agentId());
            if (call.workflow().parentRequestId() != null) md.put("parent_request_id", call.workflow().parentRequestId());
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the SSE lines as they arrive. */
    private final class Lines implements Flow.Subscriber<String> {
        private final long startNanos;
        volatile double ttftMs = -1;
        volatile String id;
        volatile long prompt = -1;
        volatile long cached = -1;

        Lines(long startNanos) { this.startNanos = startNanos; }

        @Override public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }

        @Override
        public void onNext(String line) {
            if (!line.startsWith("data: ") || line.startsWith("data: [DONE]")) return;
            if (ttftMs < 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                ttftMs = (System.nanoTime() - startNanos) / 1e6;
            }
            boolean usage = line.contains("\"usage\":{");
            if (id == null || usage) {
                try {
                    JsonNode n = json.readTree(line.substring(6));
                    if (id == null) id = n.path("id").asText(null);
                    JsonNode u = n.get("usage");
                    if (u != null && u.isObject()) {
                        prompt = u.path("prompt_tokens").asLong(-1);
                        cached = u.path("prompt_tokens_details").path("cached_tokens").asLong(0);
                    }
                } catch (Exception ignored) {
                    // a malformed chunk counts as no information, the stream goes on
                }
            }
        }

        @Override public void onError(Throwable t) {}
        @Override public void onComplete() {}
    }
}
