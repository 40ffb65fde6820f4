package dev.caravan.messaging;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQSession;

/**
 * The consumer-side connection for REST polls, leases and streams.
 *
 * <p>consumerWindowSize=0: a consumer holds no prefetched messages, so a consumer kept open for a
 * lease (ack=manual) or a slow SSE client never hides messages from other readers of the queue,
 * and a poll takes exactly the messages it returns.
 *
 * <p>The connection is opened on first use and opened again after it failed (external broker
 * restarted or unreachable), so the gateway does not need the broker to be up when it starts.
 *
 * <p>Auto-ack polls borrow a CLIENT_ACKNOWLEDGE session from a small pool ({@link #borrowPollSession})
 * instead of opening and closing one per request (two broker round trips each); a session goes back
 * only after a clean poll (nothing received, or its acknowledgements committed), otherwise it is closed.
 */
public final class InboxConnection implements AutoCloseable {

    /** Idle poll sessions kept at most; more concurrent polls open extra sessions and close them afterwards. */
    static final int POLL_SESSION_POOL = 64;

    private final ActiveMQConnectionFactory factory;
    private Connection connection;
    private boolean closed;
    private final ConcurrentLinkedDeque<PollSession> idlePollSessions = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /** A CLIENT_ACKNOWLEDGE session of the connection it was made on (a pooled one is dropped when that connection failed). */
    record PollSession(Connection owner, ActiveMQSession session) { }

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

    /** A CLIENT_ACKNOWLEDGE session for one auto-ack poll; give it back with {@link #release}. */
    PollSession borrowPollSession() throws JMSException {
        Connection current = connection();
        PollSession pooled;
        while ((pooled = idlePollSessions.pollFirst()) != null) {
            idleCount.decrementAndGet();
            if (pooled.owner() == current && !pooled.session().getCoreSession().isClosed()) {
                return pooled;
            }
            closeQuietly(pooled.session());
        }
        return new PollSession(current, (ActiveMQSession) createSession(Session.CLIENT_ACKNOWLEDGE));
    }

    /**
     * Returns a poll session. {@code clean}: the poll left nothing pending on it (no uncommitted
     * acknowledgement, no open consumer); anything else is closed, which hands its messages back.
     */
    void release(PollSession poll, boolean clean) {
        boolean keep;
        synchronized (this) {
            keep = clean && !closed && poll.owner() == connection && idleCount.get() < POLL_SESSION_POOL;
            if (keep) {
                idleCount.incrementAndGet();
                idlePollSessions.addFirst(poll);
            }
        }
        if (!keep) {
            closeQuietly(poll.session());
        }
    }

    /** Idle poll sessions (for tests and diagnostics). */
    int idlePollSessions() {
        return idleCount.get();
    }

    private static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (JMSException | RuntimeException ignored) {
            // closed or broken already
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
        PollSession idle;
        while ((idle = idlePollSessions.pollFirst()) != null) {
            idleCount.decrementAndGet();
            closeQuietly(idle.session());
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
        factory.close();
    }
}
