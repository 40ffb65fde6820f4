package dev.caravan.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Counts the error bodies the gateway itself answers ({@code caravan_error_responses_total} by
 * route, status and error code): bad input, unknown model, no healthy engine, a full admission
 * queue, a broker that is down. Needed because the completion routes are not timed by Camel's route
 * policy and Caravan's request timers count only requests that reached an engine; an engine's own
 * error status is in {@code caravan_requests_total} instead. Every tag comes from a bounded set (route
 * ids, HTTP statuses, Caravan's error codes), never from the request.
 */
@Component
public class ErrorResponseMetrics {

    /** The route tag of errors the API port answers before any route runs (unknown path, 405, 413). */
    public static final String NO_ROUTE = "none";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public ErrorResponseMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void answered(String route, int status, String code) {
        String r = route == null ? NO_ROUTE : route;
        String c = code == null ? "" : code;
        counters.computeIfAbsent(r + '|' + status + '|' + c, k -> Counter.builder("caravan.error.responses")
                .tags("route", r, "status", Integer.toString(status), "code", c)
                .description("Error responses the gateway answered itself, by route, HTTP status and error code")
                .register(registry)).increment();
    }
}
