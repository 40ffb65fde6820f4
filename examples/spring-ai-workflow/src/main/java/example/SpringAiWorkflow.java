package example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriUtils;

/**
 * A planner, three workers in parallel and a critic in one Caravan workflow, with Spring AI.
 * The auto-configured OpenAI chat model points at Caravan (application.properties); each call
 * carries its agent's workflow_metadata in {@link OpenAiChatOptions#getExtraBody()}, whose entries
 * Spring AI writes into the request body. The workers name the planner's response as their parent,
 * send their findings to the critic over Caravan's REST messaging API, and the critic reads them.
 */
@SpringBootApplication
public class SpringAiWorkflow {

    static final List<String> WORKERS = List.of("security", "performance", "operations");

    /** The long context every agent shares: the workers and the critic start with it word for word. */
    static final String BRIEF = "You review the release of ledger-sync 4.2, a service that reconciles payment ledgers.\n"
            + IntStream.range(0, 60).mapToObj(i -> "Change " + (i + 1) + ": module "
                    + List.of("api", "store", "queue", "auth", "billing").get(i % 5) + " modified "
                    + (20 + (i * 37) % 400) + " lines; tests " + (i % 7 == 0 ? "flaky on CI" : "green")
                    + "; p99 latency " + (12 + (i * 13) % 90) / 10.0 + " ms; owner team-" + (i % 4 + 1) + ".")
            .collect(Collectors.joining("\n"));

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(SpringAiWorkflow.class, args)));
    }

    @Bean
    CommandLineRunner workflow(ChatClient.Builder chat, RestClient.Builder rest,
            @Value("${spring.ai.openai.base-url}") String caravanUrl,
            @Value("${spring.ai.openai.chat.options.model}") String model,
            @Value("${spring.ai.openai.api-key}") String apiKey,
            @Value("${WORKFLOW:}") String workflowOverride) {
        return args -> {
            String workflow = workflowOverride.isBlank()
                    ? "spring-ai-" + System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 6)
                    : workflowOverride;
            ChatClient client = chat.defaultSystem(BRIEF).build();
            RestClient caravan = rest.baseUrl(caravanUrl.replaceAll("/$", ""))
                    .defaultHeader("Authorization", "Bearer " + apiKey).build();
            String wf = UriUtils.encodePathSegment(workflow, "UTF-8");
            System.out.printf("workflow %s at %s (model %s)%n", workflow, caravanUrl, model);
            // The critic joins first (reading creates its queue), so nothing sent to it is missed.
            caravan.get().uri("/v1/workflows/" + wf + "/agents/critic/messages?timeout=0").retrieve().toBodilessEntity();

            // 1. Planner
            List<Message> shared = new ArrayList<>(List.of(new UserMessage(
                    "Split the review into " + WORKERS.size() + " subtasks: " + String.join(", ", WORKERS) + ".")));
            ChatResponse plan = client.prompt().messages(shared)
                    .options(agent(workflow, "planner", null)).call().chatResponse();
            String planId = plan.getMetadata().getId();
            System.out.printf("%-11s %s  %.60s...%n", "planner", planId, plan.getResult().getOutput().getText());
            shared.add(new AssistantMessage(plan.getResult().getOutput().getText()));

            // 2. Workers in parallel, each on the planner's exchange, naming the planner's response as parent
            CompletableFuture.allOf(WORKERS.stream().map(name -> CompletableFuture.runAsync(() -> {
                ChatResponse answer = client.prompt().messages(shared)
                        .user("You are the " + name + " reviewer: do your subtask in three bullet points.")
                        .options(agent(workflow, name, planId)).call().chatResponse();
                String id = answer.getMetadata().getId();
                // Agent to agent: the worker hands its findings to the critic through Caravan's broker.
                caravan.post().uri("/v1/workflows/" + wf + "/messages").body(Map.of(
                        "source_agent", name, "target_agent", "critic", "message_type", "data",
                        "payload", Map.of("reviewer", name, "request_id", id,
                                "findings", answer.getResult().getOutput().getText())))
                        .retrieve().toBodilessEntity();
                System.out.printf("%-11s %s  sent its report to critic%n", name, id);
            })).toArray(CompletableFuture[]::new)).join();

            // 3. Critic: reads the reports from its queue, then judges them on the same context
            List<JsonNode> received = new ArrayList<>();
            for (int i = 0; i < 10 && received.size() < WORKERS.size(); i++) {
                caravan.get().uri("/v1/workflows/" + wf + "/agents/critic/messages?timeout=5&max_messages=10")
                        .retrieve().body(JsonNode.class).get("messages").forEach(received::add);
            }
            if (received.size() < WORKERS.size()) {
                throw new IllegalStateException("critic received " + received.size() + " of " + WORKERS.size() + " reports");
            }
            ChatResponse verdict = client.prompt().messages(shared)
                    .user("Reports from the reviewers:\n" + received.stream()
                            .map(m -> "[" + m.get("source").asText() + "] " + m.get("payload").get("findings").asText())
                            .collect(Collectors.joining("\n")) + "\nYou are the critic: name the weakest report and why.")
                    .options(agent(workflow, "critic", planId)).call().chatResponse();
            System.out.printf("%-11s %s  read %d reports from its queue%n", "critic", verdict.getMetadata().getId(), received.size());

            // 4. What Caravan saw
            JsonNode s = caravan.get().uri("/v1/workflows/" + wf + "/status").retrieve().body(JsonNode.class);
            System.out.printf("%nworkflow %s: engine %s (secondary %s), %s requests, cache_hits %s, cache_hit_rate %s, cached_token_rate %s%n",
                    s.get("workflow_id").asText(), s.get("assigned_engine").asText(), s.get("secondary_engines"), s.get("total_requests"),
                    s.get("cache_hits"), s.get("cache_hit_rate"), s.get("cached_token_rate"));
            List<String> missing = new ArrayList<>(List.of("planner", "critic"));
            missing.addAll(WORKERS);
            for (JsonNode a : s.get("agents")) {
                missing.remove(a.get("agent_id").asText());
                System.out.printf("  %-11s requests %s  cache_hits %s  cached_tokens %s  engine %s%n", a.get("agent_id").asText(),
                        a.get("total_requests"), a.get("cache_hits"), a.get("cached_tokens"), a.get("last_engine").asText());
            }
            if (!missing.isEmpty() || s.get("cache_hits").asLong() == 0) {
                throw new IllegalStateException("missing agents " + missing + " or no cache hits");
            }
        };
    }

    /** Per-call options: the agent's workflow_metadata as extra body fields. */
    static OpenAiChatOptions agent(String workflow, String agentId, String parentRequestId) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("workflow_id", workflow);
        metadata.put("agent_id", agentId);
        if (parentRequestId != null) {
            metadata.put("parent_request_id", parentRequestId);
        }
        metadata.put("context_sharing_strategy", "auto");
        return OpenAiChatOptions.builder().extraBody(Map.of("workflow_metadata", metadata)).build();
    }
}
