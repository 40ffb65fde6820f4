package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** ack=manual leases, redelivery after the visibility timeout, dead-lettering and TTL expiry. */
class LeaseExpiryAndDeadLetterTest extends MessagingTestSupport {

    @Autowired
    InboxConnection inbox;

    @Test
    void manualAckLeasesMessagesAndRedeliversWhatWasNotAcknowledged() throws Exception {
        String wf = newWorkflow();
        String first = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"worker\",\"payload\":1}").get("message_id").asText();
        String second = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"worker\",\"payload\":2}").get("message_id").asText();

        JsonNode leased = poll(wf, "worker", "?timeout=2&max_messages=10&ack=manual&visibility_timeout=1.5");
        assertThat(leased.get("count").asInt()).isEqualTo(2);
        assertThat(leased.get("messages").get(0).get("delivery_count").asInt()).isEqualTo(1);
        // Leased messages are invisible to other reads while the lease runs.
        assertThat(poll(wf, "worker", "?timeout=0.3").get("count").asInt()).isZero();

        HttpResponse<String> ack = post("/v1/workflows/" + wf + "/agents/worker/messages/ack",
                "{\"message_ids\":[\"" + first + "\",\"unknown-id\"]}");
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(json(ack).get("acknowledged").asInt()).isEqualTo(1);
        assertThat(json(ack).get("not_found").get(0).asText()).isEqualTo("unknown-id");

        // After the lease, only the unacknowledged message comes back, with its delivery count raised.
        JsonNode again = poll(wf, "worker", "?timeout=5&max_messages=10&ack=manual&visibility_timeout=30");
        assertThat(again.get("count").asInt()).isEqualTo(1);
        JsonNode redelivered = again.get("messages").get(0);
        assertThat(redelivered.get("id").asText()).isEqualTo(second);
        assertThat(redelivered.get("delivery_count").asInt()).isEqualTo(2);
        assertThat(json(post("/v1/workflows/" + wf + "/agents/worker/messages/ack",
                "{\"message_ids\":[\"" + second + "\"]}")).get("acknowledged").asInt()).isEqualTo(1);
        assertThat(poll(wf, "worker", "?timeout=0.2").get("count").asInt()).isZero();
    }

    @Test
    void messageNeverAcknowledgedGoesToTheDeadLetterQueue() throws Exception {
        String wf = newWorkflow();
        String id = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"flaky\",\"payload\":\"poison\"}").get("message_id").asText();
        for (int attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
            JsonNode leased = poll(wf, "flaky", "?timeout=5&ack=manual&visibility_timeout=0.3");
            assertThat(leased.get("count").asInt()).as("attempt " + attempt).isEqualTo(1);
        }
        assertThat(waitForIn(MessagingMetrics.DLQ, id)).isTrue();
        assertThat(poll(wf, "flaky", "?timeout=0.5").get("count").asInt()).isZero();
        assertThat(gauge(MessagingMetrics.DLQ)).isPositive();
    }

    @Test
    void expiredMessageGoesToTheExpiryQueue() throws Exception {
        String wf = newWorkflow();
        String id = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"late\",\"payload\":1,\"ttl\":0.3}").get("message_id").asText();
        String kept = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"late\",\"payload\":2,\"ttl\":60}").get("message_id").asText();
        assertThat(waitForIn(MessagingMetrics.EXPIRY, id)).isTrue();
        JsonNode inbox = poll(wf, "late", "?timeout=1&max_messages=10");
        assertThat(inbox.get("count").asInt()).isEqualTo(1);
        assertThat(inbox.get("messages").get(0).get("id").asText()).isEqualTo(kept);
        assertThat(gauge(MessagingMetrics.EXPIRY)).isPositive();
    }

    /** The depth gauge as the actuator serves it. */
    private double gauge(String queue) {
        HttpResponse<String> response = getManagement("/actuator/metrics/caravan.messaging.queue.depth?tag=queue:" + queue);
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response).get("measurements").get(0).get("value").asDouble();
    }

    private boolean waitForIn(String queue, String messageId) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Session session = inbox.createSession(Session.AUTO_ACKNOWLEDGE)) {
                QueueBrowser browser = session.createBrowser(session.createQueue(queue),
                        "caravan_message_id = '" + messageId + "'");
                List<?> found = Collections.list(browser.getEnumeration());
                if (!found.isEmpty()) {
                    return ((Message) found.get(0)).getStringProperty("caravan_message_id").equals(messageId);
                }
            }
            Thread.sleep(100);
        }
        return false;
    }
}
