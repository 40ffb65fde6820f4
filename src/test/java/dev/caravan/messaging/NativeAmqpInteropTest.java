package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;

/** Native agents over AMQP 1.0 (Qpid JMS, a real client on the broker's TCP acceptor) see what REST agents see. */
class NativeAmqpInteropTest extends MessagingTestSupport {

    private Connection amqp(String user, String password) throws JMSException {
        return amqp(NATIVE_PORT, user, password);
    }

    @Test
    void restToAmqpCarriesAllFieldsAsProperties() throws Exception {
        String wf = newWorkflow();
        JsonNode receipt = sendMessage(wf, """
                {"source_agent":"planner","target_agent":"java_agent","payload":{"q":"status?"},
                 "message_type":"query","correlation_id":"c-7","reply_to":"planner"}""");
        try (Connection connection = amqp("caravan", "caravan")) {
            Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            // Native clients can select on the properties without parsing the body.
            MessageConsumer consumer = session.createConsumer(
                    session.createQueue(AgentAddresses.queue(wf, "java_agent")), "caravan_message_type = 'query'");
            Message message = consumer.receive(5000);
            assertThat(message).isInstanceOf(TextMessage.class);
            assertThat(mapper.readTree(((TextMessage) message).getText()).get("q").asText()).isEqualTo("status?");
            assertThat(message.getStringProperty("caravan_workflow_id")).isEqualTo(wf);
            assertThat(message.getStringProperty("caravan_source_agent")).isEqualTo("planner");
            assertThat(message.getStringProperty("caravan_target_agent")).isEqualTo("java_agent");
            assertThat(message.getStringProperty("caravan_message_type")).isEqualTo("query");
            assertThat(message.getStringProperty("caravan_message_id")).isEqualTo(receipt.get("message_id").asText());
            assertThat(message.getStringProperty("caravan_reply_to")).isEqualTo("planner");
            assertThat(message.getLongProperty("caravan_timestamp")).isEqualTo(Math.round(receipt.get("timestamp").asDouble() * 1000));
            assertThat(message.getJMSCorrelationID()).isEqualTo("c-7");
            assertThat(message.getJMSDeliveryMode()).isEqualTo(jakarta.jms.DeliveryMode.PERSISTENT);
            message.acknowledge();
        }
    }

    /** A native AMQP sender of large payloads meets the queue's byte bound as a REST sender does. */
    @Test
    void largeAmqpPayloadsCountAgainstTheQueueBound() throws Exception {
        String wf = newWorkflow();
        poll(wf, "bulk", "?timeout=0"); // the agent's queue exists
        String big = "z".repeat(300_000);
        int sent = 0;
        JMSException refused = null;
        try (Connection connection = amqp("caravan", "caravan")) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(AgentAddresses.queue(wf, "bulk")));
            for (int i = 0; i < 10 && refused == null; i++) {
                try {
                    producer.send(session.createTextMessage(big));
                    sent++;
                } catch (JMSException e) {
                    refused = e;
                }
            }
        }
        assertThat(refused).as("the broker refuses a send once the queue holds more than %d bytes", MAX_QUEUE_BYTES)
                .isNotNull();
        assertThat((long) (sent - 1) * big.length()).isLessThan(MAX_QUEUE_BYTES);
        assertThat(poll(wf, "bulk", "?timeout=1&max_messages=100").get("count").asInt()).isEqualTo(sent);
    }

    @Test
    void amqpToRestIsReadLikeARestMessage() throws Exception {
        String wf = newWorkflow();
        try (Connection connection = amqp("caravan", "caravan")) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(AgentAddresses.queue(wf, "py_agent")));
            TextMessage message = session.createTextMessage("{\"answer\":42}");
            message.setStringProperty("caravan_workflow_id", wf);
            message.setStringProperty("caravan_source_agent", "java_agent");
            message.setStringProperty("caravan_target_agent", "py_agent");
            message.setStringProperty("caravan_message_type", "response");
            message.setStringProperty("caravan_message_id", "amqp-1");
            message.setLongProperty("caravan_timestamp", 1_700_000_000_123L);
            message.setStringProperty("caravan_reply_to", "java_agent");
            message.setJMSCorrelationID("c-7");
            producer.send(message);
            // A bare native message (no caravan_* properties) is still readable over REST.
            producer.send(session.createTextMessage("plain text"));
        }
        JsonNode inbox = poll(wf, "py_agent", "?timeout=2&max_messages=10");
        assertThat(inbox.get("count").asInt()).isEqualTo(2);
        JsonNode m = inbox.get("messages").get(0);
        assertThat(m.get("id").asText()).isEqualTo("amqp-1");
        assertThat(m.get("source").asText()).isEqualTo("java_agent");
        assertThat(m.get("target").asText()).isEqualTo("py_agent");
        assertThat(m.get("type").asText()).isEqualTo("response");
        assertThat(m.get("payload").get("answer").asInt()).isEqualTo(42);
        assertThat(m.get("timestamp").asDouble()).isEqualTo(1_700_000_000.123);
        assertThat(m.get("correlation_id").asText()).isEqualTo("c-7");
        assertThat(m.get("reply_to").asText()).isEqualTo("java_agent");
        JsonNode bare = inbox.get("messages").get(1);
        assertThat(bare.get("payload").asText()).isEqualTo("plain text");
        assertThat(bare.get("id").asText()).isNotBlank();
        assertThat(bare.get("target").asText()).isEqualTo("py_agent");
        assertThat(bare.get("type").asText()).isEqualTo("data");
    }

    @Test
    void nativeClientsNeedCredentialsAndStayInsideWorkflowQueues() throws Exception {
        assertThatThrownBy(() -> amqp("caravan", "wrong").close()).isInstanceOf(JMSSecurityException.class);
        try (Connection connection = amqp("caravan", "caravan")) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> session.createConsumer(session.createQueue(MessagingMetrics.DLQ)))
                    .isInstanceOf(JMSSecurityException.class);
        }
    }
}
