package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The seed plan's two tests ({@code src/tests/test_workflow_routing.py}) and the flows of
 * production-stack PR #625's example client ({@code examples/workflow_examples.py}), ported to Java
 * request for request, against the embedded default (simulated engines). Only the URL differs: no
 * alias is configured, the plan's {@code model: "llama"} is answered by the embedded default itself
 * (issue 20; the originals themselves run with {@code examples/python-compat/run.sh}).
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=3",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class SeedPlanCompatibilityTest extends GatewayTestSupport {

    // ---- the seed plan's tests ----

    /** {@code test_workflow_routing}: two agents of one workflow, then its status. */
    @Test
    void seedPlanTestWorkflowRouting() throws Exception {
        String workflowId = "test-workflow-123";
        HttpResponse<String> response1 = post("/v1/completions", "{\"model\":\"llama\",\"prompt\":\"Analyze data\","
                + "\"max_tokens\":100,\"workflow_metadata\":{\"workflow_id\":\"" + workflowId + "\",\"agent_id\":\"analyzer\"}}");
        assertThat(response1.statusCode()).as(response1.body()).isEqualTo(200);
        HttpResponse<String> response2 = post("/v1/completions", "{\"model\":\"llama\",\"prompt\":\"Summarize analysis\","
                + "\"max_tokens\":100,\"workflow_metadata\":{\"workflow_id\":\"" + workflowId + "\",\"agent_id\":\"summarizer\"}}");
        assertThat(response2.statusCode()).as(response2.body()).isEqualTo(200);
        // the engine was sent the model it serves (the simulated engine refuses names it does not serve)
        assertThat(json(response1).get("model").asText()).isEqualTo(MODEL);
        // "should route to same instance"
        assertThat(response2.headers().firstValue("x-caravan-engine"))
                .isEqualTo(response1.headers().firstValue("x-caravan-engine"));
        JsonNode status = json(get("/v1/workflows/" + workflowId + "/status"));
        assertThat(status.get("active_agents").asInt()).isGreaterThanOrEqualTo(2);
    }

    /** {@code test_agent_communication}: one message sent, one received with its payload. */
    @Test
    void seedPlanTestAgentCommunication() throws Exception {
        String workflowId = "test-workflow-456";
        post("/v1/workflows/" + workflowId + "/messages",
                "{\"source_agent\":\"agent1\",\"target_agent\":\"agent2\",\"payload\":{\"data\":\"test message\"}}");
        JsonNode messages = json(get("/v1/workflows/" + workflowId + "/agents/agent2/messages")).get("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).at("/payload/data").asText()).isEqualTo("test message");
    }

    // ---- production-stack PR #625, examples/workflow_examples.py (WorkflowClient) ----

    private JsonNode sendCompletion(String prompt, String workflowId, String agentId) throws Exception {
        ObjectNode body = mapper.createObjectNode().put("model", MODEL).put("prompt", prompt).put("max_tokens", 150)
                .put("temperature", 0.7);
        body.putObject("workflow_metadata").put("workflow_id", workflowId).put("agent_id", agentId)
                .put("context_sharing_strategy", "auto");
        HttpResponse<String> r = post("/v1/completions", mapper.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = json(r);
        assertThat(json.at("/choices/0/text").isTextual()).as("choices[0].text").isTrue();
        ((ObjectNode) json).put("_engine", r.headers().firstValue("x-caravan-engine").orElseThrow());
        return json;
    }

    private JsonNode sendAgentMessage(String workflowId, String source, String target, String payload) throws Exception {
        HttpResponse<String> r = post("/v1/workflows/" + workflowId + "/messages", "{\"source_agent\":\"" + source
                + "\",\"target_agent\":\"" + target + "\",\"message_type\":\"data\",\"payload\":" + payload + ",\"ttl\":300}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode receipt = json(r);
        assertThat(receipt.get("message_id").asText()).isNotBlank();
        assertThat(receipt.get("status").asText()).isEqualTo("sent");
        assertThat(receipt.get("timestamp").isNumber()).isTrue();
        return receipt;
    }

    private JsonNode receiveAgentMessages(String workflowId, String agentId) throws Exception {
        HttpResponse<String> r = get("/v1/workflows/" + workflowId + "/agents/" + agentId
                + "/messages?timeout=2.0&max_messages=10");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private JsonNode workflowStatus(String workflowId) throws Exception {
        HttpResponse<String> r = get("/v1/workflows/" + workflowId + "/status");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode s = json(r);
        // the PR's WorkflowStatusResponse, every field
        assertThat(s.fieldNames()).toIterable().contains("workflow_id", "created_at", "last_updated", "active_agents",
                "total_requests", "cache_hits", "cache_hit_rate", "assigned_instance");
        assertThat(s.get("assigned_instance").asText()).startsWith("http://");
        return s;
    }

    private static String workflow(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    @Test
    void prFinancialAnalysisWorkflow() throws Exception {
        String workflowId = workflow("financial-analysis");
        String data = "Q4 2024 Financial Results: Revenue $2.5M (15% growth YoY), Expenses $1.8M, Net Profit $700K.";
        Set<String> engines = new HashSet<>();
        engines.add(sendCompletion("As a financial data analyst, analyze this financial data:\\n" + data, workflowId,
                "data-analyst").get("_engine").asText());
        engines.add(sendCompletion("Based on the financial data analysis, assess potential risks:", workflowId,
                "risk-assessor").get("_engine").asText());
        engines.add(sendCompletion("Based on the financial analysis and risk assessment, provide strategic "
                + "recommendations:", workflowId, "strategic-advisor").get("_engine").asText());
        assertThat(engines).as("one workflow, one engine").hasSize(1);
        JsonNode stats = workflowStatus(workflowId);
        assertThat(stats.get("total_requests").asInt()).isEqualTo(3);
        assertThat(stats.get("active_agents").asInt()).isEqualTo(3);
        assertThat(stats.get("assigned_engine").asText()).isEqualTo(engines.iterator().next());
    }

    @Test
    void prCollaborativeResearchWorkflow() throws Exception {
        String workflowId = workflow("research-collab");
        sendCompletion("Research and summarize the current state of LLM optimization techniques:", workflowId,
                "literature-researcher");
        sendAgentMessage(workflowId, "literature-researcher", "technical-analyst",
                "{\"research_findings\":{\"techniques\":[\"KV-cache optimization\",\"Dynamic batching\"]}}");
        JsonNode messages = receiveAgentMessages(workflowId, "technical-analyst");
        assertThat(messages.get("messages")).hasSize(1);
        JsonNode m = messages.get("messages").get(0);
        // the PR's message shape
        assertThat(m.get("source").asText()).isEqualTo("literature-researcher");
        assertThat(m.get("type").asText()).isEqualTo("data");
        assertThat(m.at("/payload/research_findings/techniques/0").asText()).isEqualTo("KV-cache optimization");
        assertThat(m.get("id").asText()).isNotBlank();
        assertThat(m.get("timestamp").isNumber()).isTrue();
        assertThat(messages.get("count").asInt()).isEqualTo(1);
        assertThat(messages.get("has_more").asBoolean()).isFalse();

        sendCompletion("Based on the literature research findings, perform a technical feasibility analysis:",
                workflowId, "technical-analyst");
        sendAgentMessage(workflowId, "technical-analyst", "project-manager",
                "{\"technical_analysis\":{\"feasibility_score\":0.85}}");
        assertThat(receiveAgentMessages(workflowId, "project-manager").at("/messages/0/payload/technical_analysis/feasibility_score")
                .asDouble()).isEqualTo(0.85);
        sendCompletion("Create a detailed project implementation plan:", workflowId, "project-manager");
        JsonNode stats = workflowStatus(workflowId);
        assertThat(stats.get("total_requests").asInt()).isEqualTo(3);
        assertThat(stats.get("active_agents").asInt()).isEqualTo(3);
    }

    @Test
    void prCustomerSupportWorkflow() throws Exception {
        String workflowId = workflow("support");
        JsonNode triage = sendCompletion("As a first-line customer support agent, analyze this customer issue: "
                + "login fails with 'Invalid credentials' after two password resets; urgent.", workflowId, "first-line-support");
        String initial = triage.at("/choices/0/text").asText();
        sendAgentMessage(workflowId, "first-line-support", "technical-specialist", "{\"escalation_reason\":\"Complex login "
                + "issue\",\"customer_priority\":\"high\",\"initial_analysis\":" + mapper.writeValueAsString(
                initial.substring(0, Math.min(200, initial.length()))) + "}");
        sendCompletion("As a technical specialist, provide advanced troubleshooting:", workflowId, "technical-specialist");
        sendCompletion("As a customer success manager, create a follow-up plan:", workflowId, "customer-success");
        assertThat(workflowStatus(workflowId).get("total_requests").asInt()).isEqualTo(3);
    }

    @Test
    void prParallelAnalysisWorkflow() throws Exception {
        String workflowId = workflow("parallel-analysis");
        String dataset = "E-commerce Performance Dataset: 100K transactions over 3 months, 5K unique customers.";
        String[] agents = {"statistical-analyst", "behavior-analyst", "revenue-analyst", "market-analyst"};
        List<CompletableFuture<JsonNode>> tasks = new ArrayList<>();
        for (String agent : agents) {
            tasks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return sendCompletion("Analyze this e-commerce dataset as the " + agent + ":\\n" + dataset, workflowId, agent);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Set<String> engines = new HashSet<>();
        for (CompletableFuture<JsonNode> t : tasks) engines.add(t.join().get("_engine").asText());
        engines.add(sendCompletion("Based on all the previous analyses, provide a comprehensive synthesis:", workflowId,
                "synthesis-agent").get("_engine").asText());
        assertThat(engines).as("parallel agents of one workflow share its engine").hasSize(1);
        JsonNode stats = workflowStatus(workflowId);
        assertThat(stats.get("total_requests").asInt()).isEqualTo(5);
        assertThat(stats.get("active_agents").asInt()).isEqualTo(5);
    }

    /** The PR's stats endpoint: its sections answer beside Caravan's totals. */
    @Test
    void prSystemStats() throws Exception {
        String workflowId = workflow("stats");
        sendCompletion("count me", workflowId, "a");
        JsonNode stats = json(get("/v1/workflows/stats"));
        assertThat(stats.at("/workflow_routing/total_requests").asLong()).isPositive();
        assertThat(stats.at("/workflow_manager/active_workflows").asLong()).isPositive();
        assertThat(stats.at("/message_queue/total_queues").isNumber()).isTrue();
    }

    /** The seed plan's guide: a child names its parent by the parent's response id and goes where it is. */
    @Test
    void seedPlanGuideLineage() throws Exception {
        String workflowId = "analysis-workflow-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode response1 = sendCompletion("Analyze this sales data: [100, 200, 150, 300]", workflowId, "analyzer");
        ObjectNode body = mapper.createObjectNode().put("model", MODEL)
                .put("prompt", "Analyze this sales data: [100, 200, 150, 300]. Generate a report.").put("max_tokens", 200);
        body.putObject("workflow_metadata").put("workflow_id", workflowId).put("agent_id", "reporter")
                .put("parent_request_id", response1.get("id").asText());
        HttpResponse<String> response2 = post("/v1/completions", mapper.writeValueAsString(body));
        assertThat(response2.statusCode()).as(response2.body()).isEqualTo(200);
        assertThat(response2.headers().firstValue("x-caravan-engine")).contains(response1.get("_engine").asText());
        // a lineage-only workflow (a fresh id whose first request names a parent) reports that engine too
        ((ObjectNode) body.get("workflow_metadata")).put("workflow_id", workflowId + "-child");
        post("/v1/completions", mapper.writeValueAsString(body));
        assertThat(workflowStatus(workflowId + "-child").get("assigned_engine").asText())
                .isEqualTo(response1.get("_engine").asText());
    }
}
