package dev.caravan.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.activemq.artemis.core.server.metrics.ActiveMQMetricsPlugin;

/**
 * Hands the embedded broker the gateway's Micrometer registry, so Artemis' own metrics (connections,
 * sessions, address memory, disk store, and per queue for the dead-letter and expiry queues) are on
 * {@code /actuator/prometheus} as {@code artemis_*}. Agent queues are excluded in broker.xml
 * ({@code enable-metrics=false}); {@link AgentQueueMetrics} sums them instead.
 */
final class BrokerMetricsPlugin implements ActiveMQMetricsPlugin {

    private static final long serialVersionUID = 1L;
    private final transient MeterRegistry registry;

    BrokerMetricsPlugin(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ActiveMQMetricsPlugin init(Map<String, String> options) {
        return this;
    }

    @Override
    public MeterRegistry getRegistry() {
        return registry;
    }
}
