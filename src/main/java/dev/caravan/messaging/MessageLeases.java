package dev.caravan.messaging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * At-least-once reads (ack=manual): a lease is a JMS session in INDIVIDUAL_ACKNOWLEDGE mode, held
 * open here after the HTTP request that received its messages has returned.
 *
 * <ul>
 *   <li>{@code POST .../messages/ack} acknowledges single messages of the lease on the broker;</li>
 *   <li>when the visibility timeout passes, the session is recovered and closed: Artemis puts every
 *       unacknowledged message back at the head of the queue with its delivery count raised, and
 *       after max-delivery-attempts it goes to the dead-letter queue.</li>
 * </ul>
 * The broker does the bookkeeping (delivery count, DLQ, ordering on return); if the gateway dies,
 * its connection dies with it and the broker returns the messages just the same. The inbox
 * connection has consumerWindowSize=0, so an open lease consumer never prefetches further messages.
 */
@Component("messageLeases")
public class MessageLeases implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(MessageLeases.class);

    private final InboxConnection connection;
    private final InboxMessageView view;
    /** queue name + '\n' + message id -> lease holding that message. */
    private final Map<String, Lease> byMessage = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-lease-expiry");
        t.setDaemon(true);
        return t;
    });

    public MessageLeases(InboxConnection connection, InboxMessageView view) {
        this.connection = connection;
        this.view = view;
    }

    List<ObjectNode> lease(PollRequest request) {
        String queue = AgentAddresses.queue(request.workflowId(), request.agentId());
        Session session = null;
        try {
            session = connection.createSession(ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(AgentAddresses.destination(queue));
            Lease lease = new Lease(queue, session);
            List<ObjectNode> out = new ArrayList<>();
            Message message = request.timeoutMillis() > 0
                    ? consumer.receive(request.timeoutMillis()) : consumer.receiveNoWait();
            while (message != null) {
                String id = view.idOf(message);
                out.add(view.toJson(message, request.agentId()));
                lease.unacked.put(id, message);
                message = out.size() < request.maxMessages() ? consumer.receiveNoWait() : null;
            }
            if (out.isEmpty()) {
                session.close();
                return out;
            }
            synchronized (lease) {
                for (String id : lease.unacked.keySet()) {
                    byMessage.put(key(queue, id), lease);
                }
                lease.timer = expiry.schedule(() -> expire(lease), request.leaseMillis(), TimeUnit.MILLISECONDS);
            }
            return out;
        } catch (JMSException e) {
            closeQuietly(session);
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
    }

    /** Acknowledges the given ids of the agent; returns those that were not (or no longer) leased. */
    public List<String> acknowledge(String workflowId, String agentId, List<String> messageIds) {
        String queue = AgentAddresses.queue(workflowId, agentId);
        List<String> unknown = new ArrayList<>();
        for (String id : messageIds) {
            Lease lease = byMessage.remove(key(queue, id));
            if (lease == null) {
                unknown.add(id);
                continue;
            }
            synchronized (lease) {
                Message message = lease.unacked.remove(id);
                if (message == null || lease.closed) {
                    unknown.add(id);
                    continue;
                }
                try {
                    message.acknowledge();
                } catch (JMSException e) {
                    unknown.add(id);
                    LOG.debug("Acknowledging {} on {} failed: {}", id, queue, e.getMessage());
                }
                if (lease.unacked.isEmpty()) {
                    close(lease);
                }
            }
        }
        return unknown;
    }

    /** Messages currently leased out (for tests and diagnostics). */
    public int leasedCount() {
        return byMessage.size();
    }

    private void expire(Lease lease) {
        synchronized (lease) {
            if (lease.closed) {
                return;
            }
            lease.unacked.keySet().forEach(id -> byMessage.remove(key(lease.queue, id), lease));
            LOG.debug("Lease on {} expired with {} unacknowledged messages", lease.queue, lease.unacked.size());
            try {
                // recover() returns them as delivered (delivery count + 1, DLQ after max-delivery-attempts);
                // a plain close would count them as never delivered and a poison message would loop forever.
                lease.session.recover();
            } catch (JMSException e) {
                LOG.debug("Recovering lease session on {} failed: {}", lease.queue, e.getMessage());
            }
            close(lease);
        }
    }

    private void close(Lease lease) {
        lease.closed = true;
        if (lease.timer != null) {
            lease.timer.cancel(false);
        }
        closeQuietly(lease.session);
    }

    private static void closeQuietly(Session session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (JMSException e) {
            LOG.debug("Closing lease session failed: {}", e.getMessage());
        }
    }

    private static String key(String queue, String id) {
        return queue + '\n' + id;
    }

    @Override
    public void destroy() {
        expiry.shutdownNow();
    }

    private static final class Lease {
        final String queue;
        final Session session;
        final Map<String, Message> unacked = new LinkedHashMap<>();
        ScheduledFuture<?> timer;
        boolean closed;

        Lease(String queue, Session session) {
            this.queue = queue;
            this.session = session;
        }
    }
}
