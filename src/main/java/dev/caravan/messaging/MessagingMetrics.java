package dev.caravan.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Micrometer view of agent messaging: counters for messages the gateway sent and handed out over
 * REST/SSE, gauges for the depth of the dead-letter and expiry queues (the two places messages
 * end up when something is wrong). Per-queue numbers are in JMX (Hawtio) instead of here, to keep
 * metric cardinality independent of the number of agents.
 */
@Component("messagingMetrics")
public class MessagingMetrics {

    public static final String DLQ = "caravan.dlq";
    public static final String EXPIRY = "caravan.expiry";

    private final Counter sent;
    private final Counter received;
    private final BrokerAdmin broker;

    public MessagingMetrics(MeterRegistry registry, BrokerAdmin broker) {
        this.broker = broker;
        this.sent = Counter.builder("caravan.messaging.messages.sent")
                .description("Agent messages stored by the broker via the gateway (one per recipient)").register(registry);
        this.received = Counter.builder("caravan.messaging.messages.received")
                .description("Agent messages handed to readers over REST or SSE").register(registry);
        Gauge.builder("caravan.messaging.queue.depth", this, m -> m.depth(DLQ)).tag("queue", DLQ)
                .description("Messages waiting in the queue").register(registry);
        Gauge.builder("caravan.messaging.queue.depth", this, m -> m.depth(EXPIRY)).tag("queue", EXPIRY)
                .description("Messages waiting in the queue").register(registry);
    }

    /** Called by the send route once per stored copy. */
    public void sent() {
        sent.increment();
    }

    public void received(int count) {
        received.increment(count);
    }

    public double depth(String queueName) {
        try {
            return broker.queue(queueName).map(q -> (double) q.messageCount()).orElse(0.0);
        } catch (RuntimeException e) { // broker down or unreachable
            return Double.NaN;
        }
    }
}
