package dev.caravan.messaging;

import dev.caravan.core.WorkflowIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The workflow's agents are its queues: membership (who a broadcast reaches) is read from the
 * broker's queues, so it survives restarts with the journal, is the same for every gateway
 * replica on one external broker, and needs no second store. Deleting a workflow deletes its
 * queues and addresses. All broker access goes through {@link BrokerAdmin}.
 */
@Component("workflowQueues")
public class WorkflowQueues {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowQueues.class);
    private static final String ALL_WORKFLOWS = "caravan.workflow.";
    private final BrokerAdmin admin;

    public WorkflowQueues(BrokerAdmin admin) {
        this.admin = admin;
    }

    /**
     * Creates the agent's durable queue if it does not exist yet (sending or receiving makes an agent a
     * member); returns the queue's name.
     */
    public String ensureAgentQueue(String workflowId, String agentId) {
        String queue = AgentAddresses.queue(workflowId, agentId);
        admin.ensureAnycastQueue(queue);
        return queue;
    }

    /** Agent ids of the workflow, sorted. */
    public List<String> agents(String workflowId) {
        List<String> agents = new ArrayList<>();
        for (BrokerAdmin.QueueInfo queue : agentQueues(workflowId)) {
            String agent = AgentAddresses.agentOf(queue.name(), workflowId);
            if (agent != null) {
                agents.add(agent);
            }
        }
        agents.sort(null);
        return agents;
    }

    /** The ANYCAST queues named by the scheme (MQTT subscription queues on the same addresses are left out). */
    List<BrokerAdmin.QueueInfo> agentQueues(String workflowId) {
        AgentAddresses.requireId(workflowId, "workflow_id");
        return admin.queues(AgentAddresses.workflowPrefix(workflowId)).stream()
                .filter(BrokerAdmin.QueueInfo::isAgentQueue).toList();
    }

    /** Every workflow's agent queues in one listing (one management call on an external broker). */
    Map<String, List<BrokerAdmin.QueueInfo>> agentQueuesByWorkflow() {
        Map<String, List<BrokerAdmin.QueueInfo>> byWorkflow = new TreeMap<>();
        for (BrokerAdmin.QueueInfo queue : admin.queues(ALL_WORKFLOWS)) {
            String workflow = AgentAddresses.workflowOf(queue.address());
            if (workflow != null && queue.isAgentQueue()) {
                byWorkflow.computeIfAbsent(workflow, w -> new ArrayList<>()).add(queue);
            }
        }
        return byWorkflow;
    }

    /** Workflow ids that have at least one agent queue. */
    public Set<String> workflows() {
        return agentQueuesByWorkflow().keySet();
    }

    /**
     * Removes every queue (with its messages and consumers) and address of the workflow.
     * The lead's {@code DELETE /v1/workflows/{id}} calls this. Returns how many agent queues were removed.
     */
    public int deleteWorkflow(String workflowId) {
        if (!WorkflowIds.isQueueSafe(workflowId)) {
            return 0; // a tracked id the messaging endpoints refuse never named a queue
        }
        int removed = 0;
        for (BrokerAdmin.QueueInfo queue : agentQueues(workflowId)) {
            try {
                if (admin.destroyQueue(queue.name())) {
                    removed++;
                }
            } catch (IllegalStateException e) {
                LOG.warn("Could not delete queue {} of workflow {}: {}", queue.name(), workflowId, e.getMessage());
            }
        }
        return removed;
    }

    /** Messages waiting in the agent's queue (not counting those delivered and not yet acknowledged). */
    public long waiting(String workflowId, String agentId) {
        return admin.queue(AgentAddresses.queue(workflowId, agentId))
                .map(q -> Math.max(0, q.messageCount() - q.deliveringCount())).orElse(0L);
    }
}
