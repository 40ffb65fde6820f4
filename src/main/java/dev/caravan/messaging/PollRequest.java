package dev.caravan.messaging;

import dev.caravan.core.GatewayException;
import java.time.Duration;
import org.apache.camel.Message;

/**
 * A validated long-poll request: whose queue, how long to wait (capped), how many messages, and
 * which acknowledgement mode. Query parameters arrive as Camel headers from platform-http.
 */
record PollRequest(String workflowId, String agentId, long timeoutMillis, int maxMessages,
                   boolean manualAck, long leaseMillis) {

    /**
     * Messages per poll when the client names no {@code max_messages}: production-stack's workflow
     * PR's default (its receive handler's {@code max_messages: int = 100}), within the configured cap.
     */
    static final int DEFAULT_MAX_MESSAGES = 100;

    static PollRequest from(Message in, MessagingProperties properties) {
        String workflowId = AgentAddresses.requireId(in.getHeader("workflowId", String.class), "workflow_id");
        String agentId = AgentAddresses.requireId(in.getHeader("agentId", String.class), "agent_id");
        long timeout = millis(in.getHeader("timeout", String.class), "timeout",
                properties.getDefaultPollTimeout(), properties.getMaxPollTimeout());
        int max = integer(in.getHeader("max_messages", String.class), "max_messages", DEFAULT_MAX_MESSAGES,
                properties.getMaxMessagesPerPoll());
        String ack = in.getHeader("ack", "auto", String.class);
        if (!"auto".equals(ack) && !"manual".equals(ack)) {
            throw GatewayException.badRequest("ack", "ack must be auto or manual");
        }
        long lease = millis(in.getHeader("visibility_timeout", String.class), "visibility_timeout",
                properties.getLeaseTimeout(), properties.getMaxLeaseTimeout());
        if ("manual".equals(ack) && lease <= 0) {
            throw GatewayException.badRequest("visibility_timeout", "visibility_timeout must be positive");
        }
        return new PollRequest(workflowId, agentId, timeout, max, "manual".equals(ack), lease);
    }

    /** Seconds (fractions allowed) to milliseconds, capped at max. */
    private static long millis(String value, String param, Duration fallback, Duration max) {
        if (value == null || value.isBlank()) {
            return Math.min(fallback.toMillis(), max.toMillis());
        }
        try {
            double seconds = Double.parseDouble(value);
            if (seconds < 0) {
                throw GatewayException.badRequest(param, param + " must not be negative");
            }
            if (!Double.isFinite(seconds)) {
                // "1e400", "Infinity", "NaN": not a number of seconds; capping them would hide the mistake
                throw GatewayException.badRequest(param, param + " must be a finite number of seconds");
            }
            return Math.min(Math.round(seconds * 1000), max.toMillis());
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest(param, param + " must be a number of seconds");
        }
    }

    private static int integer(String value, String param, int fallback, int max) {
        if (value == null || value.isBlank()) {
            return Math.min(fallback, max);
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw GatewayException.badRequest(param, param + " must be at least 1");
            }
            return Math.min(n, max);
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest(param, param + " must be an integer");
        }
    }
}
