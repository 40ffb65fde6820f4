package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class RestMessagingTest extends MessagingTestSupport {

    @Test
    void restToRestCarriesEveryField() {
        String wf = newWorkflow();
        JsonNode receipt = sendMessage(wf, """
                {"source_agent":"planner","target_agent":"coder","payload":{"task":"write","n":3},
                 "message_type":"query","correlation_id":"corr-1","reply_to":"planner"}""");
        assertThat(receipt.get("status").asText()).isEqualTo("sent");
        assertThat(receipt.get("message_id").asText()).isNotBlank();
        assertThat(receipt.get("timestamp").asDouble()).isGreaterThan(1.7e9);

        JsonNode inbox = poll(wf, "coder", "?timeout=2");
        assertThat(inbox.get("count").asInt()).isEqualTo(1);
        assertThat(inbox.get("has_more").asBoolean()).isFalse();
        JsonNode m = inbox.get("messages").get(0);
        assertThat(m.get("id").asText()).isEqualTo(receipt.get("message_id").asText());
        assertThat(m.get("source").asText()).isEqualTo("planner");
        assertThat(m.get("target").asText()).isEqualTo("coder");
        assertThat(m.get("type").asText()).isEqualTo("query");
        assertThat(m.get("payload").get("task").asText()).isEqualTo("write");
        assertThat(m.get("payload").get("n").asInt()).isEqualTo(3);
        assertThat(m.get("correlation_id").asText()).isEqualTo("corr-1");
        assertThat(m.get("reply_to").asText()).isEqualTo("planner");
        assertThat(m.get("timestamp").asDouble()).isEqualTo(receipt.get("timestamp").asDouble());

        // ack=auto: delivered once.
        assertThat(poll(wf, "coder", "?timeout=0").get("count").asInt()).isZero();
    }

    @Test
    void workflowIdsWithBrokerWildcardsAreRejected() {
        for (String bad : new String[] {"a.b", "a%23b", "a%2Ab", "a%3Eb", "x".repeat(129)}) {
            HttpResponse<String> response = post("/v1/workflows/" + bad + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(response).get("error").get("param").asText()).isEqualTo("workflow_id");
        }
        String wf = newWorkflow();
        for (String badAgent : new String[] {"a.b", "#", "a*", ">", "a/b"}) {
            HttpResponse<String> response = post("/v1/workflows/" + wf + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"" + badAgent + "\",\"payload\":1}");
            assertThat(response.statusCode()).as(badAgent).isEqualTo(400);
            assertThat(json(response).get("error").get("type").asText()).isEqualTo("invalid_request_error");
        }
        assertThat(get("/v1/workflows/" + wf + "/agents/a.b/messages?timeout=0").statusCode()).isEqualTo(400);
    }
}
