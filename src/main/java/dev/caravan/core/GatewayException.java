package dev.caravan.core;

/**
 * A failure the client must see as an OpenAI error body ({@code {"error":{message,type,param,code}}})
 * with the given HTTP status. Thrown anywhere on a route; {@code routes/errors.camel.yaml} turns it
 * into the response.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Integer retryAfterSeconds;

    public GatewayException(int status, String type, String code, String param, String message,
                            Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static GatewayException badRequest(String param, String message) {
        return new GatewayException(400, "invalid_request_error", "invalid_value", param, message, null);
    }

    public static GatewayException notFound(String code, String param, String message) {
        return new GatewayException(404, "invalid_request_error", code, param, message, null);
    }

    public static GatewayException tooLarge(String message) {
        return new GatewayException(413, "invalid_request_error", "request_too_large", null, message, null);
    }

    /**
     * 429 {@code rate_limit_exceeded} for a limiter of {@code requests} per {@code periodMillis} whose next
     * permit is {@code waitNanos} away: Retry-After is that wait in whole seconds (at least 1).
     */
    public static GatewayException rateLimited(String who, int requests, long periodMillis, long waitNanos) {
        long retryAfter = Math.max(1, (long) Math.ceil(Math.max(0, waitNanos) / 1e9));
        return new GatewayException(429, "requests", "rate_limit_exceeded", null, "Rate limit reached for " + who + ": "
                + requests + " requests per " + periodMillis + " ms; retry after " + retryAfter + " s",
                (int) Math.min(Integer.MAX_VALUE, retryAfter));
    }

    public static GatewayException tooManyRequests(String code, String message, int retryAfterSeconds) {
        return new GatewayException(429, "rate_limit_error", code, null, message, retryAfterSeconds);
    }

    public static GatewayException unavailable(String code, String message, int retryAfterSeconds) {
        return new GatewayException(503, "service_unavailable", code, null, message, retryAfterSeconds);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String param() { return param; }
    public Integer retryAfterSeconds() { return retryAfterSeconds; }
}
