package dev.caravan.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.caravan.core.GatewayException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Turns {@code POST /v1/workflows/{workflowId}/messages} into broker message headers and the list
 * of recipient agents (one, or every other member for target_agent "*"). Validation lives here
 * because every rule answers a specific 400/413 the client must see.
 *
 * <p>Output: headers named by {@link MessageProperties} (they become JMS properties), exchange
 * properties {@code caravanPayload} (JSON text), {@code caravanRecipients} (agent ids),
 * {@code caravanRecipientCount} and
 * {@code caravanTimestampSeconds}. {@link #addressRecipient} then prepares each copy inside the
 * route's loop over the recipients.
 */
@Component("outgoingAgentMessage")
public class OutgoingAgentMessage implements Processor {

    static final Set<String> MESSAGE_TYPES = Set.of("data", "signal", "query", "response");
    /** Room for the envelope fields around the payload before the whole request is refused unread. */
    private static final int ENVELOPE_ALLOWANCE = 64 * 1024;

    private final ObjectMapper mapper;
    /** Refuses bytes after the JSON value, as the completion endpoints do, rather than dropping them silently. */
    private final ObjectReader strictJson;
    private final MessagingProperties properties;
    private final WorkflowQueues queues;

    public OutgoingAgentMessage(ObjectMapper mapper, MessagingProperties properties, WorkflowQueues queues) {
        this.mapper = mapper;
        this.strictJson = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.properties = properties;
        this.queues = queues;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String workflowId = AgentAddresses.requireId(in.getHeader("workflowId", String.class), "workflow_id");
        byte[] raw = in.getBody(byte[].class);
        if (raw == null || raw.length == 0) {
            throw GatewayException.badRequest(null, "The body must be a JSON object sent with Content-Type: application/json");
        }
        if (raw.length > properties.getMaxPayloadBytes() + ENVELOPE_ALLOWANCE) {
            throw GatewayException.tooLarge("The message exceeds " + properties.getMaxPayloadBytes() + " bytes");
        }
        JsonNode body;
        try {
            body = strictJson.readTree(raw);
        } catch (JsonProcessingException e) {
            throw GatewayException.badRequest(null, "The body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw GatewayException.badRequest(null, "The body must be a JSON object");
        }
        String source = AgentAddresses.requireId(text(body, "source_agent"), "source_agent");
        String target = text(body, "target_agent");
        boolean broadcast = AgentAddresses.BROADCAST.equals(target);
        if (!broadcast) {
            AgentAddresses.requireId(target, "target_agent");
        }
        if (!body.has("payload")) {
            throw GatewayException.badRequest("payload", "payload is required (any JSON value)");
        }
        String payload = mapper.writeValueAsString(body.get("payload"));
        if (payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > properties.getMaxPayloadBytes()) {
            throw GatewayException.tooLarge("payload exceeds " + properties.getMaxPayloadBytes() + " bytes");
        }
        String type = body.hasNonNull("message_type") ? text(body, "message_type") : "data";
        if (!MESSAGE_TYPES.contains(type)) {
            throw GatewayException.badRequest("message_type", "message_type must be one of data, signal, query, response");
        }
        String clientId = AgentAddresses.requireClientToken(text(body, "message_id"), "message_id");
        String correlationId = AgentAddresses.requireClientToken(text(body, "correlation_id"), "correlation_id");
        String replyTo = body.hasNonNull("reply_to") ? AgentAddresses.requireId(text(body, "reply_to"), "reply_to") : null;
        Long ttlMillis = ttlMillis(body);

        // Sending makes the source a member of the workflow (it then receives broadcasts).
        queues.ensureAgentQueue(workflowId, source);
        List<String> recipients = broadcast
                ? queues.agents(workflowId).stream().filter(a -> !a.equals(source)).toList()
                : List.of(target);

        long now = System.currentTimeMillis();
        String messageId = clientId != null ? clientId : UUID.randomUUID().toString();
        in.removeHeaders("*");
        in.setHeader(MessageProperties.WORKFLOW_ID, workflowId);
        in.setHeader(MessageProperties.SOURCE_AGENT, source);
        in.setHeader(MessageProperties.TARGET_AGENT, target);
        in.setHeader(MessageProperties.MESSAGE_TYPE, type);
        in.setHeader(MessageProperties.MESSAGE_ID, messageId);
        in.setHeader(MessageProperties.TIMESTAMP, now);
        in.setHeader(MessageProperties.BROADCAST, broadcast);
        in.setHeader("JMSType", type);
        if (clientId != null) {
            // Artemis drops a second message with the same id on the same address (persisted id cache).
            in.setHeader(MessageProperties.DUPLICATE_ID, clientId);
        }
        if (correlationId != null) {
            in.setHeader(MessageProperties.CORRELATION_ID, correlationId);
        }
        if (replyTo != null) {
            in.setHeader(MessageProperties.REPLY_TO, replyTo);
        }
        if (ttlMillis != null) {
            // camel-jms (preserveMessageQos) turns the absolute expiration into the JMS time-to-live.
            in.setHeader("JMSExpiration", now + ttlMillis);
        }
        in.setBody(payload);
        exchange.setProperty("caravanPayload", payload);
        exchange.setProperty("caravanRecipients", recipients);
        // A plain value for the route's loop and receipt: "${...caravanRecipients.size()}" would build an
        // OGNL bean expression on every evaluation.
        exchange.setProperty("caravanRecipientCount", recipients.size());
        // Plain decimal seconds (the seed plan's float), never scientific notation.
        exchange.setProperty("caravanTimestampSeconds", java.math.BigDecimal.valueOf(now, 3).toPlainString());
    }

    /**
     * Inside the send route's loop: makes the exchange the copy for recipient number
     * {@code CamelLoopIndex} (its queue ensured, target header, JMS destination, payload body).
     */
    public void addressRecipient(Exchange exchange) {
        List<?> recipients = exchange.getProperty("caravanRecipients", List.class);
        int index = exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class);
        String agent = (String) recipients.get(index);
        Message in = exchange.getMessage();
        String workflowId = in.getHeader(MessageProperties.WORKFLOW_ID, String.class);
        // A message to an agent that has not read yet waits in its queue, made here. Then the JMS
        // client need not ask the broker about the destination before each producer.
        String queue = queues.ensureAgentQueue(workflowId, agent);
        in.setHeader(MessageProperties.TARGET_AGENT, agent);
        in.setHeader("CamelJmsDestination", AgentAddresses.existingDestination(queue));
        in.setBody(exchange.getProperty("caravanPayload", String.class));
    }

    private static Long ttlMillis(JsonNode body) {
        JsonNode ttl = body.get("ttl");
        if (ttl == null || ttl.isNull()) {
            return null;
        }
        if (!ttl.isNumber() || ttl.asDouble() <= 0 || ttl.asDouble() > 365L * 24 * 3600) {
            throw GatewayException.badRequest("ttl", "ttl must be a positive number of seconds (at most one year)");
        }
        return Math.max(1L, Math.round(ttl.asDouble() * 1000));
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw GatewayException.badRequest(field, field + " must be a string");
        }
        return node.asText();
    }
}
