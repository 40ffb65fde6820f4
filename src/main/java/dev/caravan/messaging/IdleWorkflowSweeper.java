package dev.caravan.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Deletes the queues of workflows that have been idle for {@code caravan.messaging.workflow-idle-ttl}.
 *
 * <p>Idle means: across all the workflow's queues, no message was added or acknowledged and no
 * consumer was attached, between sweeps spanning the TTL. Activity is read from the broker's queue
 * counters, so traffic from native clients (AMQP, MQTT, ...) counts as much as REST. Artemis'
 * own auto-delete is not used: it deletes a queue as soon as it is empty, and the queues are the
 * workflow's membership list for broadcasts. After a restart every workflow's idle clock starts
 * again (counters are not persisted), which errs on keeping queues.
 */
@Component("idleWorkflowSweeper")
public class IdleWorkflowSweeper implements InitializingBean, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(IdleWorkflowSweeper.class);

    private final WorkflowQueues queues;
    private final BrokerStatus broker;
    private final MessagingProperties properties;
    /** Last activity fingerprint per workflow and since when it has not changed. Only the sweep thread writes it. */
    private final Map<String, Seen> seen = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-idle-sweep");
        t.setDaemon(true);
        return t;
    });

    public IdleWorkflowSweeper(WorkflowQueues queues, BrokerStatus broker, MessagingProperties properties) {
        this.queues = queues;
        this.broker = broker;
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        long every = properties.getIdleSweepInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweep(System.currentTimeMillis());
            } catch (RuntimeException e) {
                LOG.warn("Idle workflow sweep failed: {}", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    public long idleTtlMillis() {
        return properties.getWorkflowIdleTtl().toMillis();
    }

    /** One sweep as of {@code nowMillis}; returns the workflows deleted. */
    public synchronized Set<String> sweep(long nowMillis) {
        if (!broker.brokerUp()) {
            return Set.of();
        }
        Map<String, List<BrokerAdmin.QueueInfo>> workflows = queues.agentQueuesByWorkflow();
        seen.keySet().retainAll(workflows.keySet());
        Set<String> deleted = new java.util.TreeSet<>();
        for (Map.Entry<String, List<BrokerAdmin.QueueInfo>> entry : workflows.entrySet()) {
            String workflow = entry.getKey();
            long fingerprint = 0;
            boolean consumers = false;
            for (BrokerAdmin.QueueInfo q : entry.getValue()) {
                fingerprint += q.messagesAdded() * 31 + q.messagesAcknowledged() + q.messagesExpired() + q.messagesKilled();
                consumers |= q.consumerCount() > 0;
            }
            Seen last = seen.get(workflow);
            if (last == null || last.fingerprint != fingerprint || consumers) {
                seen.put(workflow, new Seen(fingerprint, nowMillis));
            } else if (nowMillis - last.since > idleTtlMillis()) {
                LOG.info("Deleting workflow {}: idle for more than {}", workflow, properties.getWorkflowIdleTtl());
                queues.deleteWorkflow(workflow);
                seen.remove(workflow);
                deleted.add(workflow);
            }
        }
        return deleted;
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }

    private record Seen(long fingerprint, long since) { }
}
