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
 */
public final class InboxConnection implements AutoCloseable {

    private final Connection connection;

    private InboxConnection(Connection connection) {
        this.connection = connection;
    }

    static InboxConnection open(String inVmUrl, EmbeddedBrokerConfiguration.GatewayCredentials gateway)
            throws JMSException {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(
                inVmUrl + "?consumerWindowSize=0", gateway.user(), gateway.password());
        Connection connection = factory.createConnection();
        connection.start();
        return new InboxConnection(connection);
    }

    public Session createSession(int acknowledgeMode) throws JMSException {
        return connection.createSession(false, acknowledgeMode);
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
