package dev.caravan.core;

import java.util.regex.Pattern;

/**
 * The two rules for workflow and agent ids.
 *
 * <ul>
 *   <li><b>Tracked ids</b> ({@code workflow_metadata} of completions, the status API): any printable
 *       text of 1 to {@value #MAX_TRACKED} characters, so ids that clients of the seed plan already use
 *       ({@code "team.alpha"}, {@code "run 7"}, {@code "urn:job:42"}, {@code "user@host"},
 *       {@code "org/repo"}) work unchanged. Only control characters are refused: they would corrupt
 *       logs, metric labels and the JSON the gateway writes back.
 *   <li><b>Queue-safe ids</b> (the messaging endpoints): letters, digits, {@code _} and {@code -}, 1 to
 *       {@value #MAX_QUEUE_SAFE} characters. These ids name broker queues
 *       ({@code caravan.workflow.<workflow_id>.agent.<agent_id>}), so Artemis' separator and wildcards
 *       ({@code . # * >}) and MQTT's {@code /} must never occur in one: no crafted id can name or match
 *       another workflow's queues. A tracked id outside this rule is refused there with a 400 that says
 *       so, rather than mapped to another queue name that native JMS/AMQP/MQTT clients would have to
 *       compute too.
 * </ul>
 */
public final class WorkflowIds {

    public static final int MAX_TRACKED = 256;
    public static final int MAX_QUEUE_SAFE = 128;

    private static final Pattern QUEUE_SAFE = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_QUEUE_SAFE + "}");

    private WorkflowIds() { }

    /** Whether the id may name a tracked workflow or agent (completions, status API). */
    public static boolean isValid(String value) {
        if (value == null || value.isEmpty()) return false;
        int count = value.codePointCount(0, value.length());
        if (count > MAX_TRACKED) return false;
        return value.codePoints().noneMatch(Character::isISOControl);
    }

    /** Whether the id may be part of a broker queue name (messaging endpoints). */
    public static boolean isQueueSafe(String value) {
        return value != null && QUEUE_SAFE.matcher(value).matches();
    }

    /** @throws GatewayException 400 naming {@code param} unless {@link #isValid} */
    public static String require(String value, String param) {
        if (!isValid(value)) {
            throw GatewayException.badRequest(param, param + " must be 1 to " + MAX_TRACKED
                    + " printable characters (no control characters)");
        }
        return value;
    }

    /** @throws GatewayException 400 naming {@code param} and the messaging rule unless {@link #isQueueSafe} */
    public static String requireQueueSafe(String value, String param) {
        if (!isQueueSafe(value)) {
            throw GatewayException.badRequest(param, param + " must be 1 to " + MAX_QUEUE_SAFE
                    + " letters, digits, '_' or '-' on the messaging endpoints, because it names a broker queue"
                    + " (completions and the status API accept any printable id of up to " + MAX_TRACKED
                    + " characters; see docs/workflow-guide.md, \"Workflow ids\")");
        }
        return value;
    }
}
