package dev.caravan.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.GatewayException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code GET .../agents/{agentId}/messages/stream}: server-sent events as messages arrive.
 *
 * <p>The response body is a blocking InputStream that pulls from a JMS consumer; platform-http
 * copies it to the chunked response and flushes after every read. Pulling (rather than a listener
 * pushing into a buffer) means a message is taken from the queue only after the previous event was
 * written, and each message is acknowledged only when the next read shows its event went out:
 * when the client goes away, the message whose write failed is not acknowledged and returns to
 * the queue when the consumer closes. A heartbeat comment is written every
 * {@code caravan.messaging.stream-heartbeat} so a vanished client is noticed even when idle; the
 * exchange's completion closes the consumer.
 */
@Component("agentMessageStream")
public class AgentMessageStream {

    private static final Logger LOG = LoggerFactory.getLogger(AgentMessageStream.class);

    private final InboxConnection connection;
    private final WorkflowQueues queues;
    private final InboxMessageView view;
    private final MessagingMetrics metrics;
    private final MessagingProperties properties;
    private final ObjectMapper mapper;

    public AgentMessageStream(InboxConnection connection, WorkflowQueues queues, InboxMessageView view,
                              MessagingMetrics metrics, MessagingProperties properties, ObjectMapper mapper) {
        this.connection = connection;
        this.queues = queues;
        this.view = view;
        this.metrics = metrics;
        this.properties = properties;
        this.mapper = mapper;
    }

    public void open(Exchange exchange) throws Exception {
        String workflowId = AgentAddresses.requireId(exchange.getMessage().getHeader("workflowId", String.class), "workflow_id");
        String agentId = AgentAddresses.requireId(exchange.getMessage().getHeader("agentId", String.class), "agent_id");
        String queue = queues.ensureAgentQueue(workflowId, agentId);
        Session session;
        MessageConsumer consumer;
        try {
            session = connection.createSession(ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
            consumer = session.createConsumer(AgentAddresses.destination(queue));
        } catch (JMSException e) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
        EventStream stream = new EventStream(session, consumer, agentId, properties.getStreamHeartbeat().toMillis());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                stream.close();
            }
        });
        exchange.getMessage().setBody(stream);
    }

    /** SSE framing of the consumer; not thread-safe, read by the one thread writing the response. */
    private final class EventStream extends InputStream {
        private final Session session;
        private final MessageConsumer consumer;
        private final String agentId;
        private final long heartbeatMillis;
        private byte[] pending = ": connected\n\n".getBytes(StandardCharsets.UTF_8);
        private int offset;
        private Message unacknowledged;
        private volatile boolean closed;

        EventStream(Session session, MessageConsumer consumer, String agentId, long heartbeatMillis) {
            this.session = session;
            this.consumer = consumer;
            this.agentId = agentId;
            this.heartbeatMillis = heartbeatMillis;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (offset >= pending.length) {
                if (closed || !next()) {
                    return -1;
                }
            }
            int n = Math.min(len, pending.length - offset);
            System.arraycopy(pending, offset, b, off, n);
            offset += n;
            return n;
        }

        /** Prepares the next event or heartbeat; false when the stream is over (closed, broker gone). */
        private boolean next() {
            try {
                if (unacknowledged != null) {
                    // Asked for more: the previous event has been written and flushed.
                    unacknowledged.acknowledge();
                    unacknowledged = null;
                }
                Message message = consumer.receive(heartbeatMillis);
                if (closed) {
                    return false;
                }
                if (message == null) {
                    pending = ": keepalive\n\n".getBytes(StandardCharsets.UTF_8);
                } else {
                    metrics.received(1);
                    unacknowledged = message;
                    String json = mapper.writeValueAsString(view.toJson(message, agentId));
                    pending = ("id: " + view.idOf(message) + "\nevent: message\ndata: " + json + "\n\n")
                            .getBytes(StandardCharsets.UTF_8);
                }
                offset = 0;
                return true;
            } catch (Exception e) {
                LOG.debug("Message stream for {} ended: {}", agentId, e.getMessage());
                return false;
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                // The last event may not have reached the client: it stays unacknowledged and returns to the queue.
                session.close();
            } catch (JMSException e) {
                LOG.debug("Closing stream session failed: {}", e.getMessage());
            }
        }
    }
}
