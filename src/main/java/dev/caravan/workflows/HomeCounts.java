package dev.caravan.workflows;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many live workflows each engine is home to. A home holds its workflows' contexts in its KV
 * cache and receives their fan-outs, so placement balances new homes by this count and not only by
 * the requests in flight at the instant a workflow starts (at low rates those are near zero
 * everywhere, and rendezvous hashing of a few dozen workflows over a handful of engines is uneven).
 *
 * <p>Updated by {@link WorkflowState} whenever a home is set, moved, cleared or its workflow ends;
 * lock-free, one entry per engine id.
 */
public final class HomeCounts {

    private final ConcurrentHashMap<String, AtomicInteger> byEngine = new ConcurrentHashMap<>();

    /** Workflows homed on {@code engineId}. */
    public int on(String engineId) {
        AtomicInteger c = byEngine.get(engineId);
        return c == null ? 0 : c.get();
    }

    void moved(String from, String to) {
        if (from != null && from.equals(to)) return;
        if (from != null) byEngine.computeIfAbsent(from, k -> new AtomicInteger()).decrementAndGet();
        if (to != null) byEngine.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
    }
}
