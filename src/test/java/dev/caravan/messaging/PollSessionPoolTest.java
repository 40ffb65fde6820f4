package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** ack=auto polls on pooled sessions: order, nothing left open or pending, nothing lost on a failed poll. */
class PollSessionPoolTest extends MessagingTestSupport {

    @Autowired
    InboxConnection inbox;
    @Autowired
    BrokerAdmin broker;

    @Test
    void autoAckPollsReuseSessionsAndLeaveNoConsumerOrMessageBehind() {
        String wf = newWorkflow();
        for (int i = 1; i <= 3; i++) {
            sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"pooled\",\"payload\":" + i + "}");
        }
        JsonNode first = poll(wf, "pooled", "?timeout=2&max_messages=2");
        assertThat(first.get("count").asInt()).isEqualTo(2);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(first.get("messages").get(0).get("payload").asInt()).isEqualTo(1);
        assertThat(first.get("messages").get(1).get("payload").asInt()).isEqualTo(2);
        assertThat(first.get("messages").get(0).get("delivery_count").asInt()).isEqualTo(1);
        assertThat(inbox.idlePollSessions()).isPositive();

        JsonNode second = poll(wf, "pooled", "?timeout=2&max_messages=10");
        assertThat(second.get("count").asInt()).isEqualTo(1);
        assertThat(second.get("messages").get(0).get("payload").asInt()).isEqualTo(3);
        assertThat(poll(wf, "pooled", "?timeout=0.2").get("count").asInt()).isZero();

        BrokerAdmin.QueueInfo queue = broker.queue(AgentAddresses.queue(wf, "pooled")).orElseThrow();
        assertThat(queue.consumerCount()).as("consumers left open by polls").isZero();
        assertThat(queue.messageCount()).as("acknowledged messages are gone from the broker").isZero();
        assertThat(queue.messagesAcknowledged()).isEqualTo(3);
    }

    @Test
    void messagesPushedAheadToAPollAndNotTakenComeBackInOrderAndAreNotCountedAsDelivered() {
        String wf = newWorkflow();
        int count = 3 * MAX_DELIVERY_ATTEMPTS + 1;
        for (int i = 1; i <= count; i++) {
            sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"one-by-one\",\"payload\":" + i + "}");
        }
        // Each poll takes two messages (more than one: the consumer reads ahead); the broker pushes the
        // others ahead to it, and it hands them back when it closes. Counted as deliveries, they would
        // be dead-lettered after MAX_DELIVERY_ATTEMPTS polls.
        int next = 1;
        while (next <= count) {
            JsonNode page = poll(wf, "one-by-one", "?timeout=2&max_messages=2");
            int taken = page.get("count").asInt();
            assertThat(taken).isEqualTo(Math.min(2, count - next + 1));
            for (JsonNode m : page.get("messages")) {
                assertThat(m.get("payload").asInt()).isEqualTo(next++);
                assertThat(m.get("delivery_count").asInt()).isEqualTo(1);
            }
            assertThat(page.get("has_more").asBoolean()).isEqualTo(next <= count);
        }
        BrokerAdmin.QueueInfo queue = broker.queue(AgentAddresses.queue(wf, "one-by-one")).orElseThrow();
        assertThat(queue.messageCount()).isZero();
        assertThat(queue.messagesAcknowledged()).isEqualTo(count);
        assertThat(queue.messagesKilled()).as("dead-lettered").isZero();
    }

    @Test
    void sessionOfAFailedPollIsClosedAndItsMessagesComeBack() throws Exception {
        String wf = newWorkflow();
        sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"failing\",\"payload\":\"kept\"}");

        // A poll that received and acknowledged (uncommitted) a message, then failed before committing.
        InboxConnection.PollSession poll = inbox.borrowPollSession();
        ClientConsumer consumer = poll.session().getCoreSession()
                .createConsumer(SimpleString.of(AgentAddresses.queue(wf, "failing")));
        ClientMessage taken = consumer.receive(2_000);
        assertThat(taken).isNotNull();
        taken.acknowledge();
        inbox.release(poll, false);
        assertThat(poll.session().getCoreSession().isClosed()).isTrue();

        JsonNode again = poll(wf, "failing", "?timeout=5");
        assertThat(again.get("count").asInt()).isEqualTo(1);
        assertThat(again.get("messages").get(0).get("payload").asText()).isEqualTo("kept");
    }
}
