package dev.caravan.messaging;

import dev.caravan.api.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.postoffice.QueueBinding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The workflow's agents are its queues: membership (who a broadcast reaches) is read from the
 * broker's bindings, so it survives restarts with the journal and needs no second store.
 * Deleting a workflow deletes its queues and addresses.
 */
@Component("workflowQueues")
public class WorkflowQueues {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowQueues.class);
    private final BrokerStatus broker;

    public WorkflowQueues(BrokerStatus broker) {
        this.broker = broker;
    }

    /** Creates the agent's durable queue if it does not exist yet (sending or receiving makes an agent a member). */
    public void ensureAgentQueue(String workflowId, String agentId) {
        String name = AgentAddresses.queue(workflowId, agentId);
        ActiveMQServer server = runningServer();
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

    /** Agent ids of the workflow, sorted. */
    public List<String> agents(String workflowId) {
        List<String> agents = new ArrayList<>();
        for (Queue queue : agentQueues(workflowId)) {
            String agent = AgentAddresses.agentOf(queue.getName().toString(), workflowId);
            if (agent != null) {
                agents.add(agent);
            }
        }
        agents.sort(null);
        return agents;
    }

    /** The ANYCAST queues named by the scheme (MQTT subscription queues on the same addresses are left out). */
    List<Queue> agentQueues(String workflowId) {
        AgentAddresses.requireId(workflowId, "workflow_id");
        List<Queue> queues = new ArrayList<>();
        try {
            for (Binding binding : runningServer().getPostOffice()
                    .getMatchingBindings(SimpleString.of(AgentAddresses.workflowPrefix(workflowId) + "*"))) {
                if (binding instanceof QueueBinding qb
                        && qb.getQueue().getName().equals(qb.getAddress())
                        && qb.getQueue().getRoutingType() == RoutingType.ANYCAST) {
                    queues.add(qb.getQueue());
                }
            }
        } catch (GatewayException e) {
            throw e;
        } catch (Exception e) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
        return queues;
    }

    /** Workflow ids that have at least one agent queue. */
    public Set<String> workflows() {
        Set<String> workflows = new TreeSet<>();
        for (SimpleString address : runningServer().getPostOffice().getAddresses()) {
            String workflow = AgentAddresses.workflowOf(address.toString());
            if (workflow != null) {
                workflows.add(workflow);
            }
        }
        return workflows;
    }

    /**
     * Removes every queue (with its messages and consumers) and address of the workflow.
     * The lead's {@code DELETE /v1/workflows/{id}} calls this. Returns how many agent queues were removed.
     */
    public int deleteWorkflow(String workflowId) {
        ActiveMQServer server = runningServer();
        int removed = 0;
        for (Queue queue : agentQueues(workflowId)) {
            SimpleString name = queue.getName();
            try {
                // checkConsumerCount=false, removeConsumers=true: open native consumers are closed, not a reason to keep the queue.
                server.destroyQueue(name, null, false, true, true);
                if (server.getAddressInfo(name) != null && server.getPostOffice().getBindingsForAddress(name).getBindings().isEmpty()) {
                    server.removeAddressInfo(name, null, true);
                }
                removed++;
            } catch (Exception e) {
                LOG.warn("Could not delete queue {} of workflow {}: {}", name, workflowId, e.getMessage());
            }
        }
        return removed;
    }

    /** Messages waiting in the agent's queue (not counting those delivered and not yet acknowledged). */
    public long waiting(String workflowId, String agentId) {
        Queue queue = runningServer().locateQueue(AgentAddresses.queue(workflowId, agentId));
        return queue == null ? 0 : Math.max(0, queue.getMessageCount() - queue.getDeliveringCount());
    }

    private ActiveMQServer runningServer() {
        if (!broker.brokerUp()) {
            throw GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
        return broker.server();
    }
}
