package dev.caravan.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientRequestor;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.api.core.management.ManagementHelper;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * {@link BrokerAdmin} on an external Artemis broker ({@code spring.artemis.mode=native}): every
 * operation is a core management message to the broker's management address
 * ({@code activemq.management}), answered on a temporary reply queue ({@link ClientRequestor}).
 * The gateway's user needs the {@code manage} permission there (see
 * {@code broker/external-broker-example.xml}).
 *
 * <p>One core session, used by one caller at a time (core sessions are not thread-safe; the calls
 * are short). A failed call drops the session, and the next call connects again, so the gateway
 * starts while the broker is down and recovers when it comes back; {@link #up()} is then false.
 */
public class ExternalBrokerAdmin implements BrokerAdmin, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalBrokerAdmin.class);
    private static final int PAGE_SIZE = 1000;

    private final ServerLocator locator;
    private final String user;
    private final String password;
    private final String managementAddress;
    private final long timeoutMillis;
    private final ObjectMapper mapper = new ObjectMapper();

    private ClientSessionFactory factory;
    private ClientSession session;
    private ClientRequestor requestor;

    public ExternalBrokerAdmin(String brokerUrl, String user, String password, String managementAddress,
                               long timeoutMillis) throws Exception {
        this.locator = ActiveMQClient.createServerLocator(brokerUrl);
        // Fail fast instead of blocking callers on reconnect loops; the next call reconnects.
        locator.setReconnectAttempts(0);
        locator.setInitialConnectAttempts(1);
        locator.setCallTimeout(timeoutMillis);
        locator.setCallFailoverTimeout(timeoutMillis);
        this.user = user;
        this.password = password;
        this.managementAddress = managementAddress;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public boolean up() {
        try {
            return Boolean.TRUE.equals(attribute("active"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void ensureAnycastQueue(String name) {
        String configuration = QueueConfiguration.of(name).setAddress(name)
                .setRoutingType(RoutingType.ANYCAST).setDurable(true)
                .setAutoCreateAddress(true).setAutoCreated(true).toJSON();
        // createQueue(json, ignoreIfExists=true): one round trip whether or not the queue exists.
        try {
            invoke("createQueue", configuration, true);
        } catch (ManagementFailure e) {
            LOG.warn("The broker refused to create queue {}: {}", name, e.getMessage());
            throw GatewayException.unavailable("broker_unavailable", "The message broker refused to create a queue", 5);
        }
    }

    @Override
    public List<QueueInfo> queues(String prefix) {
        return list(prefix, "CONTAINS", q -> q.name().startsWith(prefix));
    }

    @Override
    public Optional<QueueInfo> queue(String name) {
        return list(name, "EQUALS", q -> q.name().equals(name)).stream().findFirst();
    }

    @Override
    public boolean destroyQueue(String name) {
        try {
            // removeConsumers=true; forceAutoDeleteAddress=true: the address goes when no queue is left on it.
            invoke("destroyQueue", name, true, true);
            return true;
        } catch (ManagementFailure e) {
            if (e.getMessage() != null && e.getMessage().contains("AMQ229017")) { // queue does not exist
                return false;
            }
            throw new IllegalStateException("Could not delete queue " + name + ": " + e.getMessage(), e);
        }
    }

    private List<QueueInfo> list(String value, String operation, java.util.function.Predicate<QueueInfo> keep) {
        ObjectNode options = mapper.createObjectNode();
        options.put("field", "name").put("operation", operation).put("value", value)
                .put("sortField", "name").put("sortOrder", "asc");
        List<QueueInfo> out = new ArrayList<>();
        try {
            for (int page = 1; ; page++) {
                JsonNode result = mapper.readTree(String.valueOf(invoke("listQueues", options.toString(), page, PAGE_SIZE)));
                JsonNode data = result.path("data");
                for (JsonNode q : data) {
                    QueueInfo info = new QueueInfo(q.path("name").asText(), q.path("address").asText(),
                            "ANYCAST".equalsIgnoreCase(q.path("routingType").asText()),
                            q.path("messageCount").asLong(), q.path("deliveringCount").asLong(),
                            q.path("consumerCount").asInt(), q.path("messagesAdded").asLong(),
                            q.path("messagesAcked").asLong(), q.path("messagesExpired").asLong(),
                            q.path("messagesKilled").asLong());
                    if (keep.test(info)) {
                        out.add(info);
                    }
                }
                if (data.size() < PAGE_SIZE || (long) page * PAGE_SIZE >= result.path("count").asLong()) {
                    return out;
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Unreadable listQueues answer: " + e.getMessage(), e);
        }
    }

    private Object attribute(String name) {
        return call(m -> ManagementHelper.putAttribute(m, ResourceNames.BROKER, name));
    }

    private Object invoke(String operation, Object... args) {
        return call(m -> ManagementHelper.putOperationInvocation(m, ResourceNames.BROKER, operation, args));
    }

    private synchronized Object call(Request request) {
        ClientMessage reply;
        try {
            connect();
            ClientMessage message = session.createMessage(false);
            request.fill(message);
            reply = requestor.request(message, timeoutMillis);
        } catch (Exception e) {
            LOG.debug("Management call to the broker failed: {}", e.toString());
            disconnect();
            throw EmbeddedBrokerAdmin.unavailable();
        }
        if (reply == null) { // no answer within the timeout
            disconnect();
            throw EmbeddedBrokerAdmin.unavailable();
        }
        Object result;
        try {
            result = ManagementHelper.getResult(reply);
        } catch (Exception e) {
            throw new IllegalStateException("Unreadable management answer: " + e.getMessage(), e);
        }
        if (!ManagementHelper.hasOperationSucceeded(reply)) {
            throw new ManagementFailure(String.valueOf(result));
        }
        return result;
    }

    private void connect() throws Exception {
        if (session != null && !session.isClosed()) {
            return;
        }
        disconnect();
        factory = locator.createSessionFactory();
        session = factory.createSession(user, password, false, true, true, false, 0);
        requestor = new ClientRequestor(session, managementAddress);
        session.start();
    }

    private void disconnect() {
        try {
            if (requestor != null) {
                requestor.close();
            }
        } catch (Exception ignored) {
            // the session is going anyway
        }
        try {
            if (session != null) {
                session.close();
            }
        } catch (Exception ignored) {
            // already broken
        }
        if (factory != null) {
            factory.close();
        }
        requestor = null;
        session = null;
        factory = null;
    }

    @Override
    public synchronized void destroy() {
        disconnect();
        locator.close();
    }

    @FunctionalInterface
    private interface Request {
        void fill(ClientMessage message) throws Exception;
    }

    /** The broker answered, but the operation failed (e.g. queue does not exist, not permitted). */
    static final class ManagementFailure extends RuntimeException {
        ManagementFailure(String message) {
            super(message);
        }
    }
}
