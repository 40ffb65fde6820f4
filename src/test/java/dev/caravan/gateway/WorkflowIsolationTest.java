package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * With API keys, a workflow belongs to the key that first used it: over real HTTP, another key is
 * answered 404 {@code workflow_not_found} on its messages, status, deletion and completions, exactly
 * as for an id that does not exist, and does not see its id in listings or stats.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.security.api-keys=sk-iso-alpha-0001,sk-iso-beta-0002",
        "caravan.security.admin-keys=sk-iso-admin-0003"})
class WorkflowIsolationTest extends GatewayTestSupport {

    static final String A = "sk-iso-alpha-0001";
    static final String B = "sk-iso-beta-0002";
    static final String ADMIN = "sk-iso-admin-0003";

    static String chat(String workflow) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":2,\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"planner\"}}";
    }

    static final String MESSAGE = "{\"source_agent\":\"planner\",\"target_agent\":\"coder\",\"payload\":{\"task\":\"x\"}}";

    HttpResponse<String> call(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void assertNotFound(HttpResponse<String> r, String what) throws Exception {
        assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(404);
        JsonNode error = json(r).get("error");
        assertThat(error.get("code").asText()).as(what).isEqualTo("workflow_not_found");
        assertThat(error.get("type").asText()).as(what).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).as(what).isEqualTo("workflow_id");
    }

    @Test
    void anotherKeyCannotReachTheWorkflowAndItsOwnerStillCan() throws Exception {
        String wf = "iso-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/chat/completions", chat(wf), A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A).statusCode()).isEqualTo(200);

        String base = "/v1/workflows/" + wf;
        assertNotFound(call("POST", base + "/messages", MESSAGE, B), "send");
        assertNotFound(call("GET", base + "/agents/coder/messages?timeout=0", null, B), "receive");
        assertNotFound(call("POST", base + "/agents/coder/messages/ack", "{\"message_ids\":[\"m1\"]}", B), "ack");
        assertNotFound(call("GET", base + "/agents/coder/messages/stream", null, B), "stream");
        assertNotFound(call("GET", base + "/status", null, B), "status");
        assertNotFound(call("POST", "/v1/chat/completions", chat(wf), B), "completion naming it");
        assertNotFound(call("DELETE", base, null, B), "delete");
        // the same answer as for an id nobody has used: a stranger cannot tell the two apart
        HttpResponse<String> unknown = call("GET", "/v1/workflows/iso-nobody-" + UUID.randomUUID() + "/status", null, B);
        assertNotFound(unknown, "unknown id");

        // listings and stats as B name none of A's workflows
        assertThat(call("GET", "/v1/workflows?limit=500", null, B).body()).doesNotContain(wf);
        JsonNode statsB = json(call("GET", "/v1/workflows/stats", null, B));
        assertThat(statsB.get("message_queue").get("queue_sizes").fieldNames()).toIterable()
                .noneMatch(q -> q.startsWith(wf + ":"));
        assertThat(statsB.toString()).doesNotContain(wf);

        // A still has all of it: status, listing, stats, the message B could not take
        HttpResponse<String> status = call("GET", base + "/status", null, A);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(json(status).get("routed_requests").asInt()).as("B's completion was not placed").isEqualTo(1);
        assertThat(call("GET", "/v1/workflows?limit=500", null, A).body()).contains(wf);
        assertThat(json(call("GET", "/v1/workflows/stats", null, A)).get("message_queue").get("queue_sizes")
                .has(wf + ":coder")).isTrue();
        HttpResponse<String> poll = call("GET", base + "/agents/coder/messages?timeout=2", null, A);
        assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
        assertThat(json(poll).get("messages")).hasSize(1);
        assertThat(json(poll).get("messages").get(0).get("payload").get("task").asText()).isEqualTo("x");
    }

    @Test
    void anAdminKeySeesEveryWorkflowAndOwnsNone() throws Exception {
        String wf = "iso-adm-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/chat/completions", chat(wf), A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/workflows/" + wf + "/status", null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/workflows?limit=500", null, ADMIN).body()).contains(wf);
        assertThat(json(call("GET", "/v1/workflows/stats", null, ADMIN)).get("message_queue").get("queue_sizes")
                .has(wf + ":coder")).isTrue();
        assertThat(call("GET", "/v1/workflows/" + wf + "/status", null, A).statusCode()).as("still A's").isEqualTo(200);

        // an admin's first use binds nothing: the id stays free for the first ordinary key
        String fresh = "iso-adm-fresh-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/chat/completions", chat(fresh), ADMIN).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/workflows/" + fresh + "/status", null, B).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/chat/completions", chat(fresh), B).statusCode()).isEqualTo(200);
        assertNotFound(call("GET", "/v1/workflows/" + fresh + "/status", null, A), "status of B's workflow for A");
    }

    @Test
    void aWorkflowUsedOnlyForMessagesIsBoundToo() throws Exception {
        String wf = "iso-msg-" + UUID.randomUUID();
        // receiving first binds it (the poll creates the agent's queue)
        assertThat(call("GET", "/v1/workflows/" + wf + "/agents/coder/messages?timeout=0", null, A).statusCode())
                .isEqualTo(200);
        assertNotFound(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, B), "send");
        assertNotFound(call("POST", "/v1/chat/completions", chat(wf), B), "completion naming it");
        assertThat(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A).statusCode()).isEqualTo(200);
    }

    @Test
    void afterDeletionTheIdIsFreeForAnotherKey() throws Exception {
        String wf = "iso-del-" + UUID.randomUUID();
        assertThat(call("POST", "/v1/chat/completions", chat(wf), A).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A).statusCode()).isEqualTo(200);
        HttpResponse<String> deleted = call("DELETE", "/v1/workflows/" + wf, null, A);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(json(deleted).get("queues_removed").asInt()).as("the sender's and the recipient's").isEqualTo(2);

        HttpResponse<String> taken = call("POST", "/v1/chat/completions", chat(wf), B);
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        assertThat(call("GET", "/v1/workflows/" + wf + "/status", null, B).statusCode()).isEqualTo(200);
        assertNotFound(call("GET", "/v1/workflows/" + wf + "/status", null, A), "status for the former owner");
        assertNotFound(call("POST", "/v1/workflows/" + wf + "/messages", MESSAGE, A), "send for the former owner");
    }
}
