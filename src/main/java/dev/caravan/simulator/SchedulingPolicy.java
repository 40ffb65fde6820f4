package dev.caravan.simulator;

import java.util.Locale;

/** Order in which waiting requests are admitted, as vLLM's {@code --scheduling-policy}. */
public enum SchedulingPolicy {
    /** Arrival order; a request's {@code priority} other than 0 is rejected, as vLLM does. */
    FCFS,
    /** Lowest {@code priority} first, then arrival order. */
    PRIORITY;

    public static SchedulingPolicy parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
