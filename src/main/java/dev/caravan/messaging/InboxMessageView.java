package dev.caravan.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.springframework.stereotype.Component;

/**
 * Decides how a broker message looks to a REST/SSE reader: {id, source, target, type, payload,
 * timestamp, correlation_id, reply_to, delivery_count}. Messages from native clients that omit
 * caravan_* properties fall back to the standard JMS headers, and a body that is not JSON is
 * returned as a JSON string, so nothing a native agent sends is unreadable over REST.
 */
@Component
public class InboxMessageView {

    private final ObjectMapper mapper;

    public InboxMessageView(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The broker's arrival time of a message (address setting {@code enable-ingress-timestamp}). */
    static final String INGRESS_TIMESTAMP = "_AMQ_INGRESS_TIMESTAMP";

    /**
     * The id a reader acknowledges with: the caravan message id, else the sender's JMSMessageID, else
     * (MQTT, or AMQP without a message-id) the broker's own message id, unique on that broker.
     */
    public String idOf(Message message) throws JMSException {
        String id = message.getStringProperty(MessageProperties.MESSAGE_ID);
        if (id == null) {
            id = message.getJMSMessageID();
        }
        if (id == null && message instanceof ActiveMQMessage core) {
            id = "ID:broker-" + core.getCoreMessage().getMessageID();
        }
        return id;
    }

    /** Epoch ms: the gateway's stamp, else the sender's JMS timestamp, else when the broker took it in. */
    static long timestampOf(Message message) throws JMSException {
        if (message.propertyExists(MessageProperties.TIMESTAMP)) {
            return message.getLongProperty(MessageProperties.TIMESTAMP);
        }
        if (message.getJMSTimestamp() > 0) {
            return message.getJMSTimestamp();
        }
        return message.propertyExists(INGRESS_TIMESTAMP) ? message.getLongProperty(INGRESS_TIMESTAMP) : 0;
    }

    public ObjectNode toJson(Message message, String agentId) throws JMSException {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", idOf(message));
        node.put("source", message.getStringProperty(MessageProperties.SOURCE_AGENT));
        String target = message.getStringProperty(MessageProperties.TARGET_AGENT);
        node.put("target", target != null ? target : agentId);
        String type = message.getStringProperty(MessageProperties.MESSAGE_TYPE);
        if (type == null) {
            type = message.getJMSType() != null ? message.getJMSType() : "data";
        }
        node.put("type", type);
        node.set("payload", payload(message));
        long millis = timestampOf(message);
        node.put("timestamp", java.math.BigDecimal.valueOf(millis, 3)); // plain epoch seconds, as the send answer
        node.put("correlation_id", message.getJMSCorrelationID());
        node.put("reply_to", message.getStringProperty(MessageProperties.REPLY_TO));
        if (message.propertyExists("JMSXDeliveryCount")) {
            node.put("delivery_count", message.getIntProperty("JMSXDeliveryCount"));
        }
        return node;
    }

    private JsonNode payload(Message message) throws JMSException {
        String text = null;
        if (message instanceof TextMessage t) {
            text = t.getText();
        } else if (message instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        if (text == null) {
            return mapper.nullNode();
        }
        try {
            return mapper.readTree(text);
        } catch (Exception notJson) {
            return mapper.getNodeFactory().textNode(text);
        }
    }
}
