package dev.caravan.messaging;

/**
 * Names of the broker message properties every protocol sees (JMS-friendly identifiers, so native
 * clients can select on them, e.g. {@code caravan_source_agent = 'planner'}). The JSON payload is
 * the text body. Correlation uses the standard JMSCorrelationID; TTL the standard expiration.
 */
public final class MessageProperties {

    public static final String WORKFLOW_ID = "caravan_workflow_id";
    public static final String SOURCE_AGENT = "caravan_source_agent";
    public static final String TARGET_AGENT = "caravan_target_agent";
    public static final String MESSAGE_TYPE = "caravan_message_type";
    public static final String MESSAGE_ID = "caravan_message_id";
    public static final String TIMESTAMP = "caravan_timestamp";
    public static final String REPLY_TO = "caravan_reply_to";
    /** true on each copy of a message sent to target_agent "*". */
    public static final String BROADCAST = "caravan_broadcast";
    /** Artemis duplicate detection key (only set when the client supplied message_id). */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";
    public static final String CORRELATION_ID = "JMSCorrelationID";

    private MessageProperties() { }
}
