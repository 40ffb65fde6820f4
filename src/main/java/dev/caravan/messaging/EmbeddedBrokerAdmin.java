package dev.caravan.messaging;

import dev.caravan.core.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.postoffice.QueueBinding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/** {@link BrokerAdmin} on the embedded broker: direct calls into the server, no round trips. */
public class EmbeddedBrokerAdmin implements BrokerAdmin {

    private final EmbeddedActiveMQ broker;

    public EmbeddedBrokerAdmin(EmbeddedActiveMQ broker) {
        this.broker = broker;
    }

    @Override
    public boolean up() {
        ActiveMQServer server = broker.getActiveMQServer();
        return server != null && server.isStarted() && server.isActive();
    }

    @Override
    public void ensureAnycastQueue(String name) {
        ActiveMQServer server = server();
        if (server.locateQueue(name) != null) {
            return;
        }
        try {
            server.createQueue(QueueConfiguration.of(name).setAddress(name)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true)
                    .setAutoCreateAddress(true).setAutoCreated(true), true);
        } catch (Exception e) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker refused to create a queue", 5);
        }
    }

    @Override
    public List<QueueInfo> queues(String prefix) {
        List<QueueInfo> queues = new ArrayList<>();
        try {
            for (Binding binding : server().getPostOffice().getMatchingBindings(SimpleString.of(prefix + "#"))) {
                if (binding instanceof QueueBinding qb && qb.getQueue().getName().toString().startsWith(prefix)) {
                    queues.add(info(qb.getQueue()));
                }
            }
        } catch (GatewayException e) {
            throw e;
        } catch (Exception e) {
            throw unavailable();
        }
        return queues;
    }

    @Override
    public Optional<QueueInfo> queue(String name) {
        Queue queue = server().locateQueue(name);
        return queue == null ? Optional.empty() : Optional.of(info(queue));
    }

    @Override
    public boolean destroyQueue(String queueName) {
        ActiveMQServer server = server();
        SimpleString name = SimpleString.of(queueName);
        if (server.locateQueue(name) == null) {
            return false;
        }
        try {
            // checkConsumerCount=false, removeConsumers=true: open native consumers are closed, not a reason to keep the queue.
            server.destroyQueue(name, null, false, true, true);
            if (server.getAddressInfo(name) != null && server.getPostOffice().getBindingsForAddress(name).getBindings().isEmpty()) {
                server.removeAddressInfo(name, null, true);
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException("Could not delete queue " + queueName + ": " + e.getMessage(), e);
        }
    }

    private static QueueInfo info(Queue q) {
        return new QueueInfo(q.getName().toString(), q.getAddress().toString(), q.getRoutingType() == RoutingType.ANYCAST,
                q.getMessageCount(), q.getDeliveringCount(), q.getConsumerCount(), q.getMessagesAdded(),
                q.getMessagesAcknowledged(), q.getMessagesExpired(), q.getMessagesKilled());
    }

    private ActiveMQServer server() {
        if (!up()) {
            throw unavailable();
        }
        return broker.getActiveMQServer();
    }

    static GatewayException unavailable() {
        return GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
    }
}
