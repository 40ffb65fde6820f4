package dev.caravan.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A label whose values clients choose (agent ids), kept to the first {@code max} distinct values;
 * later ones are reported as {@link #OTHER}, so a client that invents an agent per request cannot
 * grow the number of series.
 */
final class BoundedLabelValues {

    static final String OTHER = "other";

    private final int max;
    private final ConcurrentHashMap<String, Boolean> kept = new ConcurrentHashMap<>();

    BoundedLabelValues(int max) {
        this.max = max;
    }

    String of(String value) {
        if (kept.containsKey(value)) {
            return value;
        }
        // size() is a snapshot: under a race a few more than max may be kept, never without bound
        if (kept.size() < max) {
            kept.putIfAbsent(value, Boolean.TRUE);
            return value;
        }
        return OTHER;
    }
}
