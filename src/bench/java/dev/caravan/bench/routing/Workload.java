package dev.caravan.bench.routing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A replayable workload: the same calls, in the same structure, under every policy. */
public interface Workload {

    /** Short name used in file names and tables. */
    String name();

    /** Parameters, reported with the results. */
    Map<String, Object> parameters();

    /** Starts every session; the future completes when the last call finished. */
    CompletableFuture<Void> run(Driver driver);

    /** Calls the workload sends (for progress). */
    int expectedCalls();

    /** Simulator options this workload needs beyond the common ones (a larger context, a larger cache). */
    default Map<String, String> engineOptions() { return Map.of(); }

    /** The seed plan's own result fields, where the workload is one of its three. */
    default Map<String, Object> seedPlanFields(List<CallResult> results) { return Map.of(); }

    /**
     * Whether the workload is a trace replay whose calls never wait for one another, so that issuing
     * them one at a time in order replays its arrival order ({@link PooledCacheReference}).
     */
    default boolean replaysTrace() { return false; }

    /** Whether requests carry {@code workflow_metadata}. */
    boolean workflow();
}
