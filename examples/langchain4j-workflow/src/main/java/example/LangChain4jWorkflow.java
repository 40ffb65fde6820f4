package example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A planner, three workers in parallel and a critic in one Caravan workflow, with LangChain4j.
 * One {@link OpenAiChatModel} pointed at Caravan; each request carries its agent's
 * workflow_metadata in {@link OpenAiChatRequestParameters#customParameters()}, which LangChain4j
 * adds to the request body. The workers name the planner's response as their parent, send their
 * findings to the critic over Caravan's REST messaging API, and the critic reads them from its queue.
 */
public class LangChain4jWorkflow {

    static final String URL = env("CARAVAN_URL", "http://localhost:8080").replaceAll("/$", "");
    /** The gateway's API key when it has keys (caravan.security.api-keys); any value otherwise. */
    static final String API_KEY = env("CARAVAN_API_KEY", "dummy");
    static final String MODEL = env("CARAVAN_MODEL", "meta-llama/Llama-3.1-8B-Instruct");
    static final String WORKFLOW = env("WORKFLOW",
            "langchain4j-" + System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 6));
    static final List<String> WORKERS = List.of("security", "performance", "operations");

    /** The long context every agent shares: the workers and the critic start with it word for word. */
    static final String BRIEF = "You review the release of ledger-sync 4.2, a service that reconciles payment ledgers.\n"
            + IntStream.range(0, 60).mapToObj(i -> "Change " + (i + 1) + ": module "
                    + List.of("api", "store", "queue", "auth", "billing").get(i % 5) + " modified "
                    + (20 + (i * 37) % 400) + " lines; tests " + (i % 7 == 0 ? "flaky on CI" : "green")
                    + "; p99 latency " + (12 + (i * 13) % 90) / 10.0 + " ms; owner team-" + (i % 4 + 1) + ".")
            .collect(Collectors.joining("\n"));

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(URL + "/v1")
                .apiKey(API_KEY)
                .modelName(MODEL)
                .temperature(0.0)
                .maxTokens(120)
                .timeout(Duration.ofSeconds(60))
                .build();
        String wf = URLEncoder.encode(WORKFLOW, StandardCharsets.UTF_8);
        System.out.printf("workflow %s at %s (model %s)%n", WORKFLOW, URL, MODEL);
        // The critic joins first (reading creates its queue), so nothing sent to it is missed.
        caravan("GET", "/v1/workflows/" + wf + "/agents/critic/messages?timeout=0", null);

        // 1. Planner
        List<ChatMessage> shared = new ArrayList<>(List.of(SystemMessage.from(BRIEF),
                UserMessage.from("Split the review into " + WORKERS.size() + " subtasks: " + String.join(", ", WORKERS) + ".")));
        ChatResponse plan = model.chat(request(shared, "planner", null));
        System.out.printf("%-11s %s  %.60s...%n", "planner", plan.id(), plan.aiMessage().text());
        shared.add(plan.aiMessage());

        // 2. Workers in parallel, each on the planner's exchange, naming the planner's response as parent
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS.size());
        List<CompletableFuture<Void>> workers = WORKERS.stream().map(name -> CompletableFuture.runAsync(() -> {
            List<ChatMessage> messages = new ArrayList<>(shared);
            messages.add(UserMessage.from("You are the " + name + " reviewer: do your subtask in three bullet points."));
            ChatResponse answer = model.chat(request(messages, name, plan.id()));
            // Agent to agent: the worker hands its findings to the critic through Caravan's broker.
            caravan("POST", "/v1/workflows/" + wf + "/messages", Map.of(
                    "source_agent", name, "target_agent", "critic", "message_type", "data",
                    "payload", Map.of("reviewer", name, "request_id", answer.id(), "findings", answer.aiMessage().text())));
            System.out.printf("%-11s %s  sent its report to critic%n", name, answer.id());
        }, pool)).toList();
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        pool.shutdown();

        // 3. Critic: reads the reports from its queue, then judges them on the same context
        List<JsonNode> received = new ArrayList<>();
        for (int i = 0; i < 10 && received.size() < WORKERS.size(); i++) {
            caravan("GET", "/v1/workflows/" + wf + "/agents/critic/messages?timeout=5&max_messages=10", null)
                    .get("messages").forEach(received::add);
        }
        if (received.size() < WORKERS.size()) {
            throw new IllegalStateException("critic received " + received.size() + " of " + WORKERS.size() + " reports");
        }
        List<ChatMessage> critique = new ArrayList<>(shared);
        critique.add(UserMessage.from("Reports from the reviewers:\n" + received.stream()
                .map(m -> "[" + m.get("source").asText() + "] " + m.get("payload").get("findings").asText())
                .collect(Collectors.joining("\n")) + "\nYou are the critic: name the weakest report and why."));
        ChatResponse verdict = model.chat(request(critique, "critic", plan.id()));
        System.out.printf("%-11s %s  read %d reports from its queue%n", "critic", verdict.id(), received.size());

        // 4. What Caravan saw
        JsonNode s = caravan("GET", "/v1/workflows/" + wf + "/status", null);
        System.out.printf("%nworkflow %s: engine %s (secondary %s), %s requests, cache_hits %s, cache_hit_rate %s, cached_token_rate %s%n",
                s.get("workflow_id").asText(), s.get("assigned_engine").asText(), s.get("secondary_engines"), s.get("total_requests"),
                s.get("cache_hits"), s.get("cache_hit_rate"), s.get("cached_token_rate"));
        List<String> seen = new ArrayList<>();
        for (JsonNode a : s.get("agents")) {
            seen.add(a.get("agent_id").asText());
            System.out.printf("  %-11s requests %s  cache_hits %s  cached_tokens %s  engine %s%n", a.get("agent_id").asText(),
                    a.get("total_requests"), a.get("cache_hits"), a.get("cached_tokens"), a.get("last_engine").asText());
        }
        List<String> missing = new ArrayList<>(List.of("planner", "critic"));
        missing.addAll(WORKERS);
        missing.removeAll(seen);
        if (!missing.isEmpty() || s.get("cache_hits").asLong() == 0) {
            System.err.println("FAILED: missing agents " + missing + " or no cache hits");
            System.exit(1);
        }
    }

    /** A chat request whose body carries this agent's workflow_metadata (LangChain4j's custom parameters). */
    static ChatRequest request(List<ChatMessage> messages, String agentId, String parentRequestId) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("workflow_id", WORKFLOW);
        metadata.put("agent_id", agentId);
        if (parentRequestId != null) {
            metadata.put("parent_request_id", parentRequestId);
        }
        metadata.put("context_sharing_strategy", "auto");
        return ChatRequest.builder()
                .messages(messages)
                .parameters(OpenAiChatRequestParameters.builder()
                        .customParameters(Map.of("workflow_metadata", metadata))
                        .build())
                .build();
    }

    static JsonNode caravan(String method, String path, Object body) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(URL + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + API_KEY);
            if (body != null) {
                req.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                req.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> res = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": " + res.statusCode() + " " + res.body());
            }
            return JSON.readTree(res.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
