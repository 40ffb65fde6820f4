package dev.caravan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;

/**
 * {@code caravan.limits.max-tokens}: the most tokens one request may ask an engine to generate, so
 * one client cannot hold a batch slot for a whole context length. A request asking for more is
 * refused (400, naming the cap) rather than cut short without telling; one that asks for nothing gets
 * the cap as its {@code max_tokens} (vLLM would otherwise generate to the end of the context).
 * 0 (the default) leaves requests as they are.
 */
public final class MaxTokensCap {

    private final int cap;

    public MaxTokensCap(int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("caravan.limits.max-tokens must be >= 0 (0 = no cap), was " + cap);
        }
        this.cap = cap;
    }

    public static MaxTokensCap none() {
        return new MaxTokensCap(0);
    }

    /**
     * Checks the request's limits against the cap (fields already validated as positive integers);
     * returns true when it set {@code max_tokens} in the body, which then differs from the client's bytes.
     */
    boolean apply(ObjectNode body) {
        if (cap == 0) {
            return false;
        }
        boolean asked = false;
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            asked = true;
            if (v.asLong() > cap) {
                throw new GatewayException(400, "invalid_request_error", "max_tokens_too_large", field,
                        "'" + field + "' is " + v.asLong() + "; this gateway allows at most " + cap
                                + " generated tokens per request", null);
            }
        }
        if (!asked) {
            body.put("max_tokens", cap);
            return true;
        }
        return false;
    }
}
