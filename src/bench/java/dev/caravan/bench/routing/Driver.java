package dev.caravan.bench.routing;

import java.util.concurrent.CompletableFuture;

/** How a workload sends calls and paces itself; the bound run replaces pacing with "at once". */
public interface Driver {

    /** Sends a call; the future completes when its stream ended (never exceptionally). */
    CompletableFuture<CallResult> call(ChatCall call);

    /** Runs {@code task} {@code delayMs} after the workload started (at once if that time passed). */
    CompletableFuture<Void> at(double delayMs, java.util.function.Supplier<CompletableFuture<?>> task);

    /** Milliseconds since the workload started. */
    double nowMs();
}
