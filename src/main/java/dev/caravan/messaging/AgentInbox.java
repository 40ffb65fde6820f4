package dev.caravan.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;
import jakarta.jms.JMSException;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Long-poll read of an agent's queue ({@code GET .../agents/{agentId}/messages}).
 *
 * <p>ack=auto: the messages are acknowledged before the response is written (at most once, the
 * seed plan's behaviour). ack=manual: they are handed to {@link MessageLeases}, which keeps them
 * unacknowledged on the broker until the client acknowledges them or the lease runs out.
 */
@Component("agentInbox")
public class AgentInbox {

    private final InboxConnection connection;
    private final MessageLeases leases;
    private final WorkflowQueues queues;
    private final InboxMessageView view;
    private final MessagingMetrics metrics;
    private final MessagingProperties properties;
    private final ObjectMapper mapper;

    public AgentInbox(InboxConnection connection, MessageLeases leases, WorkflowQueues queues,
                      InboxMessageView view, MessagingMetrics metrics, MessagingProperties properties,
                      ObjectMapper mapper) {
        this.connection = connection;
        this.leases = leases;
        this.queues = queues;
        this.view = view;
        this.metrics = metrics;
        this.properties = properties;
        this.mapper = mapper;
    }

    /** Route entry point: reads the request headers, writes the JSON response body. */
    public void poll(Exchange exchange) throws Exception {
        PollRequest request = PollRequest.from(exchange.getMessage(), properties);
        // Reading makes the agent a member of the workflow (it receives broadcasts from now on).
        queues.ensureAgentQueue(request.workflowId(), request.agentId());
        List<ObjectNode> messages = request.manualAck() ? leases.lease(request) : receiveAndAcknowledge(request);
        metrics.received(messages.size());
        ObjectNode body = mapper.createObjectNode();
        ArrayNode array = body.putArray("messages");
        messages.forEach(array::add);
        body.put("count", messages.size());
        body.put("has_more", queues.waiting(request.workflowId(), request.agentId()) > 0);
        exchange.getMessage().setBody(mapper.writeValueAsBytes(body));
        // What was applied, caps included (caravan.messaging.max-poll-timeout, max-messages-per-poll): a
        // client of the PR asking for 1000 messages or 30 s is told it got at most 100 and 25 s, not left
        // to guess. The route keeps these two headers when it drops the request's.
        exchange.getMessage().setHeader(APPLIED_TIMEOUT_HEADER, seconds(request.timeoutMillis()));
        exchange.getMessage().setHeader(APPLIED_LIMIT_HEADER, Integer.toString(request.maxMessages()));
    }

    public static final String APPLIED_TIMEOUT_HEADER = "X-Caravan-Applied-Timeout";
    public static final String APPLIED_LIMIT_HEADER = "X-Caravan-Applied-Limit";

    /** Seconds as the client wrote them ({@code timeout=5.0}): plain decimals, no exponent. */
    static String seconds(long millis) {
        return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * ack=auto: on a pooled CLIENT_ACKNOWLEDGE session, a core consumer on the agent's queue (the queue
     * was ensured above, so the JMS client's address and queue queries before every consumer are
     * skipped), up to max_messages received, their acknowledgement committed (blocking: the broker has
     * removed them before the response is written), the consumer closed. Broker round trips per poll:
     * create consumer, one per message (consumerWindowSize=0, nothing is prefetched), commit, close.
     */
    private List<ObjectNode> receiveAndAcknowledge(PollRequest request) {
        String queue = AgentAddresses.queue(request.workflowId(), request.agentId());
        InboxConnection.PollSession poll = null;
        boolean clean = false;
        try {
            poll = connection.borrowPollSession();
            ClientSession core = poll.session().getCoreSession();
            List<ObjectNode> out = new ArrayList<>();
            try (ClientConsumer consumer = properties.getPollWindowBytes() > 0 && request.maxMessages() > 1
                    ? core.createConsumer(SimpleString.of(queue), null, properties.getPollWindowBytes(), -1, false)
                    : core.createConsumer(SimpleString.of(queue))) {
                ClientMessage message = request.timeoutMillis() > 0
                        ? consumer.receive(request.timeoutMillis()) : consumer.receiveImmediate();
                while (message != null) {
                    // Same decoding as the JMS consumer does; the view reads JMS headers and properties.
                    ActiveMQMessage jms = ActiveMQMessage.createMessage(message, null);
                    jms.doBeforeReceive();
                    out.add(view.toJson(jms, request.agentId()));
                    message.acknowledge();
                    message = out.size() < request.maxMessages() ? consumer.receiveImmediate() : null;
                }
                if (!out.isEmpty()) {
                    core.commit();
                }
            }
            clean = true;
            return out;
        } catch (JMSException | ActiveMQException e) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        } finally {
            if (poll != null) {
                connection.release(poll, clean);
            }
        }
    }
}
