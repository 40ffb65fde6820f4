package dev.caravan.messaging;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The {@code message_queue} section of {@code GET /v1/workflows/stats}, with the keys of
 * production-stack's workflow PR (#625), read from the broker: the agent queues that exist now, so
 * native JMS/AMQP/STOMP/MQTT agents count as REST ones do, and a deleted workflow's queues (with their
 * counts) are gone. One management listing per call.
 */
@Component("messageQueueStats")
public class MessageQueueStats {

    private final WorkflowQueues queues;

    public MessageQueueStats(WorkflowQueues queues) {
        this.queues = queues;
    }

    /**
     * @param totalMessagesSent     messages ever added to the current agent queues (a broadcast counts once
     *                              per recipient)
     * @param totalMessagesReceived of them, acknowledged by their agent
     * @param totalMessagesExpired  of them, expired before being read
     * @param queueSizes            waiting messages per {@code "<workflow_id>:<agent_id>"}
     * @param maxQueueSize          the largest of those (the PR's meaning, not the configured limit)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Section(long totalQueues, long totalMessagesSent, long totalMessagesReceived,
                          long totalMessagesExpired, Map<String, Long> queueSizes, long maxQueueSize,
                          long totalPendingMessages) {}

    public Section section() {
        return section(workflowId -> true);
    }

    /**
     * The section with {@code queue_sizes} keyed only by the workflows {@code shown} accepts (with API
     * keys: the caller's own); the counts stay gateway-wide and name no workflow.
     */
    public Section section(java.util.function.Predicate<String> shown) {
        long total = 0, sent = 0, received = 0, expired = 0, max = 0, pending = 0;
        Map<String, Long> sizes = new TreeMap<>();
        for (Map.Entry<String, List<BrokerAdmin.QueueInfo>> wf : queues.agentQueuesByWorkflow().entrySet()) {
            for (BrokerAdmin.QueueInfo q : wf.getValue()) {
                String agent = AgentAddresses.agentOf(q.name(), wf.getKey());
                if (agent == null) continue;
                long waiting = Math.max(0, q.messageCount() - q.deliveringCount());
                total++;
                sent += q.messagesAdded();
                received += q.messagesAcknowledged();
                expired += q.messagesExpired();
                pending += waiting;
                max = Math.max(max, waiting);
                if (shown.test(wf.getKey())) sizes.put(wf.getKey() + ":" + agent, waiting);
            }
        }
        return new Section(total, sent, received, expired, sizes, max, pending);
    }
}
