package example;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * A Caravan agent on JMS over AMQP 1.0 (Qpid JMS). Reads caravan.workflow.<wf>.agent.java and
 * answers every query with a response to the asker's reply_to, correlated by the query's id.
 * Properties are read and written directly: no need to parse the body to route a message.
 */
public final class JavaAgent {

    public static void main(String[] args) throws Exception {
        String url = env("CARAVAN_AMQP", "amqp://localhost:61616");
        String workflow = env("WORKFLOW", "demo");
        String me = env("AGENT", "java");
        JmsConnectionFactory factory = new JmsConnectionFactory(
                env("CARAVAN_USER", "caravan"), env("CARAVAN_PASSWORD", "caravan"), url);
        try (Connection connection = factory.createConnection()) {
            connection.start();
            // CLIENT_ACKNOWLEDGE: a message is acknowledged only after the answer was sent (at least once).
            Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer inbox = session.createConsumer(session.createQueue(queue(workflow, me)));
            MessageProducer out = session.createProducer(null);
            System.out.println(me + " agent reading " + queue(workflow, me) + " on " + url);
            while (true) {
                Message message = inbox.receive();
                String type = message.getStringProperty("caravan_message_type");
                String from = message.getStringProperty("caravan_source_agent");
                String body = message instanceof TextMessage t ? t.getText() : "";
                System.out.printf("%s from %s: %s%n", type, from, body);
                if ("query".equals(type)) {
                    String replyTo = message.getStringProperty("caravan_reply_to");
                    String target = replyTo != null ? replyTo : from;
                    TextMessage answer = session.createTextMessage("{\"answer\":42,\"by\":\"" + me + "\"}");
                    answer.setStringProperty("caravan_workflow_id", workflow);
                    answer.setStringProperty("caravan_source_agent", me);
                    answer.setStringProperty("caravan_target_agent", target);
                    answer.setStringProperty("caravan_message_type", "response");
                    answer.setStringProperty("caravan_message_id", UUID.randomUUID().toString());
                    answer.setLongProperty("caravan_timestamp", System.currentTimeMillis());
                    answer.setJMSCorrelationID(message.getStringProperty("caravan_message_id"));
                    out.send(session.createQueue(queue(workflow, target)), answer);
                }
                message.acknowledge();
            }
        }
    }

    private static String queue(String workflow, String agent) {
        return "caravan.workflow." + workflow + ".agent." + agent;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
