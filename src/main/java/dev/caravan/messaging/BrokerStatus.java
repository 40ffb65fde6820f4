package dev.caravan.messaging;

import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.springframework.stereotype.Component;

/** Whether the embedded broker can take messages now; the gateway's readiness check calls {@link #brokerUp()}. */
@Component("brokerStatus")
public class BrokerStatus {

    private final EmbeddedActiveMQ broker;

    public BrokerStatus(EmbeddedActiveMQ broker) {
        this.broker = broker;
    }

    public boolean brokerUp() {
        ActiveMQServer server = broker.getActiveMQServer();
        return server != null && server.isStarted() && server.isActive();
    }

    /** The running server; callers must have checked {@link #brokerUp()} or handle a stopped server. */
    ActiveMQServer server() {
        return broker.getActiveMQServer();
    }
}
