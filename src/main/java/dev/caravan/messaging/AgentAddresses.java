package dev.caravan.messaging;

import dev.caravan.core.GatewayException;
import dev.caravan.core.WorkflowIds;
import java.util.regex.Pattern;

/**
 * Decides the broker name of an agent's queue and which ids may become part of one.
 *
 * <p>Scheme: {@code caravan.workflow.<workflow_id>.agent.<agent_id>} (address and ANYCAST queue
 * of the same name). Ids are limited to letters, digits, {@code _} and {@code -} (1-128 chars,
 * {@link WorkflowIds#isQueueSafe}; completions accept wider ids, which the messaging endpoints refuse):
 * Artemis' separator and wildcards ({@code . # * >}) and MQTT's {@code /} can never occur inside an
 * id, so no crafted id can name or match another workflow's queues.
 */
public final class AgentAddresses {

    public static final String PREFIX = "caravan.workflow.";
    public static final String AGENT_SEGMENT = ".agent.";
    public static final String BROADCAST = "*";
    /** Client message and correlation ids: a little wider (UUIDs, URNs), still JSON- and selector-safe. */
    private static final Pattern CLIENT_TOKEN = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");

    private AgentAddresses() { }

    public static String queue(String workflowId, String agentId) {
        return PREFIX + workflowId + AGENT_SEGMENT + agentId;
    }

    /** Prefix every agent queue of the workflow starts with. */
    public static String workflowPrefix(String workflowId) {
        return PREFIX + workflowId + AGENT_SEGMENT;
    }

    /** The messaging endpoints' rule: queue-safe ids only (a 400 naming the rule otherwise). */
    public static String requireId(String value, String param) {
        return WorkflowIds.requireQueueSafe(value, param);
    }

    public static String requireClientToken(String value, String param) {
        if (value != null && !CLIENT_TOKEN.matcher(value).matches()) {
            throw GatewayException.badRequest(param, param
                    + " must be 1-128 characters of letters, digits or _ . : @ -");
        }
        return value;
    }

    /** Agent id of a queue named by {@link #queue}, or null when the name is not an agent queue of the workflow. */
    public static String agentOf(String queueName, String workflowId) {
        String prefix = workflowPrefix(workflowId);
        if (!queueName.startsWith(prefix)) {
            return null;
        }
        String agent = queueName.substring(prefix.length());
        return WorkflowIds.isQueueSafe(agent) ? agent : null;
    }

    /** Workflow id of an agent queue name, or null. */
    public static String workflowOf(String queueName) {
        if (!queueName.startsWith(PREFIX)) {
            return null;
        }
        int end = queueName.indexOf(AGENT_SEGMENT, PREFIX.length());
        if (end < 0) {
            return null;
        }
        String workflow = queueName.substring(PREFIX.length(), end);
        return WorkflowIds.isQueueSafe(workflow) ? workflow : null;
    }

    /**
     * The JMS destination of an agent queue, made locally: {@code Session.createQueue} on the Artemis
     * client would ask the broker whether the queue exists (a blocking round trip) every time. The
     * client still checks (and auto-creates) it before the first producer or consumer on it.
     */
    static jakarta.jms.Queue destination(String queueName) {
        return org.apache.activemq.artemis.api.jms.ActiveMQJMSClient.createQueue(queueName);
    }

    /**
     * The JMS destination of an agent queue the caller has just ensured. Unless a destination is
     * marked created, the Artemis JMS client sends an address query and a queue query, two blocking
     * round trips, before every producer on it; each walks every address on the broker, so a send
     * would grow slower with the number of agents. Only for queues known to exist: a core send
     * to an address without a queue is dropped, the client's check is what creates one.
     */
    static jakarta.jms.Queue existingDestination(String queueName) {
        org.apache.activemq.artemis.jms.client.ActiveMQQueue queue =
                (org.apache.activemq.artemis.jms.client.ActiveMQQueue) destination(queueName);
        queue.setCreated(true);
        return queue;
    }
}
