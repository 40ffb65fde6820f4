package dev.caravan.messaging;

import java.util.Set;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * Per-workflow security settings on the embedded broker: a match {@code caravan.workflow.<id>.#},
 * more specific than broker.xml's {@code caravan.workflow.#}, that grants the agent permissions to the
 * owner key's role ({@code key-<id>}) and the admin keys' role only, and everything to the gateway.
 * Settings live in the broker's memory, like the REST bindings they mirror (per replica, gone at restart).
 */
final class EmbeddedNativeWorkflowAccess implements NativeWorkflowAccess {

    static final String ADMIN_ROLE = "key-admin";

    private static final Role GATEWAY = new Role("gateway", true, true, true, true, true, true, true, true, true, true);
    private static final Role ADMIN = agent(ADMIN_ROLE);

    private final EmbeddedActiveMQ broker;

    EmbeddedNativeWorkflowAccess(EmbeddedActiveMQ broker) {
        this.broker = broker;
    }

    static String keyRole(String keyId) {
        return "key-" + keyId;
    }

    @Override
    public void restrictTo(String workflowId, String keyId) {
        broker.getActiveMQServer().getSecurityRepository().addMatch(match(workflowId),
                Set.of(GATEWAY, agent(keyRole(keyId)), ADMIN));
    }

    @Override
    public void release(String workflowId) {
        broker.getActiveMQServer().getSecurityRepository().removeMatch(match(workflowId));
    }

    private static String match(String workflowId) {
        return AgentAddresses.PREFIX + workflowId + ".#";
    }

    // Role(name, send, consume, createDurableQueue, deleteDurableQueue, createNonDurableQueue,
    //      deleteNonDurableQueue, manage, browse, createAddress, deleteAddress): as broker.xml's caravan.workflow.#
    private static Role agent(String name) {
        return new Role(name, true, true, true, false, true, true, false, true, true, false);
    }
}
