package dev.caravan.messaging;

/**
 * Who may reach a workflow's addresses over the native protocols (JMS/CORE, AMQP, STOMP, MQTT). With
 * API keys, a key also logs in to the broker (user = its id, password = the key) and a workflow bound
 * to a key over REST is closed to every other native login: the broker then checks per address what
 * the REST API checks per request.
 */
public interface NativeWorkflowAccess {

    /** Nobody is restricted: no API keys, or a broker whose security this gateway does not manage. */
    NativeWorkflowAccess NONE = new NativeWorkflowAccess() {
        @Override public void restrictTo(String workflowId, String keyId) { }
        @Override public void release(String workflowId) { }
    };

    /** From now on only {@code keyId}'s native logins (and admin keys') reach {@code caravan.workflow.<id>.#}. */
    void restrictTo(String workflowId, String keyId);

    /** The workflow is gone: its addresses fall back to the default setting. */
    void release(String workflowId);
}
