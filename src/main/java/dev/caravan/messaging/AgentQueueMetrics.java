package dev.caravan.messaging;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The agent queues as metrics, read from the broker every {@code caravan.messaging.metrics.refresh}
 * (so REST and native traffic both count, and nothing is added to the send path):
 * <ul>
 *   <li>{@code vllm_workflow_message_queue_size{workflow_id, agent_id}}: the seed plan's gauge, for
 *       the deepest {@code top-queues} agent queues by name, the rest summed under
 *       {@code workflow_id="other", agent_id="other"}; {@code sum()} is every agent message waiting.
 *   <li>{@code caravan_messaging_agent_queues}: how many agent queues exist.
 *   <li>{@code caravan_messaging_agent_messages_total{event}}: messages {@code added},
 *       {@code acknowledged}, {@code expired} and {@code killed} (dead-lettered) on agent queues,
 *       accumulated from each queue's broker counters so a deleted queue does not take its history
 *       with it (what happens on a queue between its last read and its deletion is not seen).
 * </ul>
 * Per-queue series from Artemis itself are off for agent queues ({@code enable-metrics} in
 * broker.xml): with one queue per agent they would grow without bound.
 */
@Component("agentQueueMetrics")
public class AgentQueueMetrics implements InitializingBean, DisposableBean {

    static final String OTHER = "other";
    private static final Logger LOG = LoggerFactory.getLogger(AgentQueueMetrics.class);

    private final BrokerAdmin broker;
    private final MessagingProperties.Metrics settings;
    private final MultiGauge queueSize;
    private final AtomicLong queueCount = new AtomicLong();
    private final AtomicLong added = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    /** Counters of each queue at its last read; only the refresh thread touches it. */
    private Map<String, long[]> lastSeen = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-queue-metrics");
        t.setDaemon(true);
        return t;
    });

    public AgentQueueMetrics(MeterRegistry registry, BrokerAdmin broker, MessagingProperties properties) {
        this.broker = broker;
        this.settings = properties.getMetrics();
        this.queueSize = MultiGauge.builder("vllm.workflow.message.queue.size")
                .description("Messages waiting in agent message queues (deepest queues by name, the rest as other)")
                .register(registry);
        Gauge.builder("caravan.messaging.agent.queues", queueCount, AtomicLong::get)
                .description("Agent message queues on the broker").register(registry);
        counter(registry, "added", added);
        counter(registry, "acknowledged", acknowledged);
        counter(registry, "expired", expired);
        counter(registry, "killed", killed);
    }

    private static void counter(MeterRegistry registry, String event, AtomicLong value) {
        FunctionCounter.builder("caravan.messaging.agent.messages", value, AtomicLong::get).tag("event", event)
                .description("Agent-queue messages added, acknowledged, expired and killed (dead-lettered)")
                .register(registry);
    }

    @Override
    public void afterPropertiesSet() {
        long every = Math.max(1, settings.getRefresh().toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (RuntimeException e) { // broker down: the last figures stay until it answers again
                LOG.debug("Agent queue metrics not refreshed: {}", e.getMessage());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }

    /** Reads the agent queues once and updates every series. */
    public synchronized void refresh() {
        List<BrokerAdmin.QueueInfo> queues = new ArrayList<>();
        for (BrokerAdmin.QueueInfo q : broker.queues(AgentAddresses.PREFIX)) {
            if (q.isAgentQueue() && AgentAddresses.workflowOf(q.name()) != null) {
                queues.add(q);
            }
        }
        Map<String, long[]> seen = new HashMap<>(queues.size() * 2);
        for (BrokerAdmin.QueueInfo q : queues) {
            long[] now = {q.messagesAdded(), q.messagesAcknowledged(), q.messagesExpired(), q.messagesKilled()};
            long[] before = lastSeen.get(q.name());
            added.addAndGet(delta(now[0], before, 0));
            acknowledged.addAndGet(delta(now[1], before, 1));
            expired.addAndGet(delta(now[2], before, 2));
            killed.addAndGet(delta(now[3], before, 3));
            seen.put(q.name(), now);
        }
        lastSeen = seen;
        queueCount.set(queues.size());

        queues.sort(Comparator.comparingLong(BrokerAdmin.QueueInfo::messageCount).reversed());
        int top = Math.min(settings.getTopQueues(), queues.size());
        List<MultiGauge.Row<?>> rows = new ArrayList<>(top + 1);
        for (int i = 0; i < top; i++) {
            BrokerAdmin.QueueInfo q = queues.get(i);
            String workflow = AgentAddresses.workflowOf(q.name());
            String agent = AgentAddresses.agentOf(q.name(), workflow);
            rows.add(MultiGauge.Row.of(Tags.of("workflow_id", workflow, "agent_id", agent == null ? "" : agent),
                    q.messageCount()));
        }
        long rest = 0;
        for (int i = top; i < queues.size(); i++) {
            rest += queues.get(i).messageCount();
        }
        rows.add(MultiGauge.Row.of(Tags.of("workflow_id", OTHER, "agent_id", OTHER), rest));
        queueSize.register(rows, true);
    }

    /** Growth of one counter since the last read; a queue seen for the first time or reset counts from 0. */
    private static long delta(long now, long[] before, int i) {
        if (before == null || now < before[i]) {
            return now;
        }
        return now - before[i];
    }
}
