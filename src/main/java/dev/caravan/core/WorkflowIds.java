package dev.caravan.core;

import java.util.regex.Pattern;

/**
 * The one rule for workflow and agent ids, wherever they arrive (workflow_metadata, the status API,
 * the messaging API): letters, digits, {@code _} and {@code -}, 1 to 128 characters. A workflow id
 * also names broker queues ({@code caravan.workflow.<workflow_id>.agent.<agent_id>}), so Artemis'
 * separator and wildcards ({@code . # * >}) and MQTT's {@code /} must never occur in one: no
 * crafted id can name or match another workflow's queues.
 */
public final class WorkflowIds {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private WorkflowIds() { }

    public static boolean isValid(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** @throws GatewayException 400 naming {@code param} */
    public static String require(String value, String param) {
        if (!isValid(value)) {
            throw GatewayException.badRequest(param, param + " must be 1 to 128 letters, digits, '_' or '-'");
        }
        return value;
    }
}
