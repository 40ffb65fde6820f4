package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A gateway that runs for weeks sends to ever new agent queues (every workflow has its own): what it
 * keeps open on the broker for sending must not grow with the number of queues it has sent to.
 */
class ProducerCountTest extends MessagingTestSupport {

    @Autowired
    EmbeddedActiveMQ broker;

    @Test
    void sendingToManyQueuesLeavesNoProducerPerQueue() {
        for (int i = 0; i < 40; i++) {
            sendMessage(newWorkflow(), "{\"source_agent\":\"a\",\"target_agent\":\"agent-" + i + "\",\"payload\":" + i + "}");
        }
        int producers = broker.getActiveMQServer().getSessions().stream().mapToInt(ServerSession::getProducerCount).sum();
        assertThat(producers).as("producers open on the broker after sends to 40 queues").isLessThan(10);
    }
}
