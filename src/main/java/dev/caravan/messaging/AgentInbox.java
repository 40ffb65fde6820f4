package dev.caravan.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.List;
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
    }

    private List<ObjectNode> receiveAndAcknowledge(PollRequest request) {
        String queue = AgentAddresses.queue(request.workflowId(), request.agentId());
        try (Session session = connection.createSession(Session.CLIENT_ACKNOWLEDGE)) {
            MessageConsumer consumer = session.createConsumer(AgentAddresses.destination(queue));
            List<ObjectNode> out = new ArrayList<>();
            Message message = request.timeoutMillis() > 0
                    ? consumer.receive(request.timeoutMillis()) : consumer.receiveNoWait();
            Message last = null;
            while (message != null) {
                out.add(view.toJson(message, request.agentId()));
                last = message;
                message = out.size() < request.maxMessages() ? consumer.receiveNoWait() : null;
            }
            if (last != null) {
                // CLIENT_ACKNOWLEDGE acknowledges everything this session received, in one round trip.
                last.acknowledge();
            }
            return out;
        } catch (JMSException e) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
    }
}
