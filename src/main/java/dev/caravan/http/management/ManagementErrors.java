package dev.caravan.http.management;

import dev.caravan.api.OpenAiErrorResponse;
import dev.caravan.core.GatewayException;
import org.springframework.security.web.csrf.CsrfException;

/**
 * What the management port tells a client it refuses, in the OpenAI error format the API port uses:
 * one mapping for the error page ({@link ManagementErrorAttributes}) and for the bodies endpoints write
 * themselves ({@link ManagementErrorBodies}), so an operator's script reads one shape on both ports.
 */
final class ManagementErrors {

    private ManagementErrors() {
    }

    /**
     * {@code detail}: what the endpoint said (Jolokia's "Invalid JSON request"), or null. The failure's
     * own message is never used: it may name classes and internals.
     */
    static GatewayException of(int status, String path, Throwable cause, String detail) {
        boolean named = path != null && !path.isBlank();
        return switch (status) {
            case 400 -> new GatewayException(400, "invalid_request_error", "invalid_request", null,
                    "Bad request" + (named ? " to " + path : "") + (detail == null ? "" : ": " + detail), null);
            case 401 -> new GatewayException(401, "invalid_request_error", "login_required", null,
                    "The management port needs the operator's login (HTTP basic or the login form; "
                            + "caravan.management.username and caravan.management.password)", null);
            case 403 -> cause instanceof CsrfException
                    ? new GatewayException(403, "invalid_request_error", "csrf_token_invalid", null,
                            "A request that rides on a console session needs its X-XSRF-TOKEN header", null)
                    : new GatewayException(403, "invalid_request_error", "forbidden", null,
                            "Not allowed" + (named ? " on " + path : ""), null);
            case 404 -> GatewayException.notFound("not_found", null,
                    "Nothing at " + (named ? path : "this path") + " on the management port");
            case 405 -> new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                    "Method not allowed" + (named ? " on " + path : ""), null);
            default -> OpenAiErrorResponse.forStatus(status, detail);
        };
    }
}
