package dev.caravan.messaging;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The consumer-side connection for REST polls, leases and streams.
 *
 * <p>consumerWindowSize=0: a consumer holds no prefetched messages, so a consumer kept open for a
 * lease (ack=manual) or a slow SSE client never hides messages from other readers of the queue,
 * and a poll takes exactly the messages it returns.
 *
 * <p>The connection is opened on first use and opened again after it failed (external broker
 * restarted or unreachable), so the gateway does not need the broker to be up when it starts.
 */
public final class InboxConnection implements AutoCloseable {

    private final ActiveMQConnectionFactory factory;
    private Connection connection;
    private boolean closed;

    private InboxConnection(ActiveMQConnectionFactory factory) {
        this.factory = factory;
    }

    static InboxConnection open(BrokerEndpoint endpoint) throws JMSException {
        InboxConnection inbox = new InboxConnection(new ActiveMQConnectionFactory(
                endpoint.url("consumerWindowSize=0"), endpoint.user(), endpoint.password()));
        if (endpoint.connectEagerly()) {
            inbox.connection();
        }
        return inbox;
    }

    public Session createSession(int acknowledgeMode) throws JMSException {
        Connection current = connection();
        try {
            return current.createSession(false, acknowledgeMode);
        } catch (JMSException e) {
            drop(current);
            throw e;
        }
    }

    private synchronized Connection connection() throws JMSException {
        if (closed) {
            throw new jakarta.jms.IllegalStateException("The inbox connection is closed");
        }
        if (connection == null) {
            Connection fresh = factory.createConnection();
            fresh.setExceptionListener(e -> drop(fresh));
            fresh.start();
            connection = fresh;
        }
        return connection;
    }

    private void drop(Connection failed) {
        synchronized (this) {
            if (connection != failed) {
                return;
            }
            connection = null;
        }
        try {
            failed.close();
        } catch (JMSException | RuntimeException ignored) {
            // broken already
        }
    }

    @Override
    public synchronized void close() throws JMSException {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
        factory.close();
    }
}
