package dev.caravan.simulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one engine has done so far, for tests and for {@code /metrics}. Counters are cumulative
 * since start; {@link #running()}, {@link #waiting()} and the cache figures are live.
 * Thread-safe.
 */
public final class SimulatorStats {

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejectedQueueFull = new AtomicLong();
    private final AtomicLong rejectedInvalid = new AtomicLong();
    private final AtomicLong injectedFailures = new AtomicLong();
    private final AtomicLong finishedStop = new AtomicLong();
    private final AtomicLong finishedLength = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generationTokens = new AtomicLong();
    private final AtomicLong prefixCacheQueries = new AtomicLong();
    private final AtomicLong prefixCacheHits = new AtomicLong();
    private final AtomicLong stalled = new AtomicLong();
    final LatencyHistogram timeToFirstToken = new LatencyHistogram(LatencyHistogram.TTFT_BUCKETS);
    final LatencyHistogram interTokenLatency = new LatencyHistogram(LatencyHistogram.ITL_BUCKETS);
    final LatencyHistogram e2eLatency = new LatencyHistogram(LatencyHistogram.E2E_BUCKETS);
    private volatile EngineScheduler scheduler;

    SimulatorStats() {
    }

    void attach(EngineScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Generation requests (completions and chat) that reached the engine, valid or not. */
    public long requestsReceived() { return received.get(); }
    /** Requests answered 429 because the waiting queue was full. */
    public long requestsRejected() { return rejectedQueueFull.get(); }
    /** Requests answered 4xx for their content (unknown model, bad JSON, priority under fcfs...). */
    public long requestsInvalid() { return rejectedInvalid.get(); }
    /** Requests answered 500 by the failure-rate fault. */
    public long requestsFailed() { return injectedFailures.get(); }
    /** Requests that generated all their tokens. */
    public long requestsCompleted() { return finishedStop.get() + finishedLength.get(); }
    public long requestsFinishedStop() { return finishedStop.get(); }
    public long requestsFinishedLength() { return finishedLength.get(); }
    /** Requests dropped before finishing: client gone, or the die-mid-stream fault. */
    public long requestsAborted() { return aborted.get(); }
    /** Requests held by the stall fault right now. */
    public long requestsStalled() { return stalled.get(); }
    public long promptTokens() { return promptTokens.get(); }
    public long generationTokens() { return generationTokens.get(); }
    /** Prompt tokens looked up in the prefix cache. */
    public long prefixCacheQueries() { return prefixCacheQueries.get(); }
    /** Prompt tokens found in the prefix cache ({@code cached_tokens} summed). */
    public long cachedTokens() { return prefixCacheHits.get(); }

    public int running() { return scheduler().running(); }
    public int waiting() { return scheduler().waiting(); }
    /** Fraction of KV blocks pinned by running requests. */
    public double kvCacheUsage() { return scheduler().kvCacheUsage(); }
    /** Blocks holding a cached prefix, pinned or not. */
    public int cachedBlocks() { return scheduler().cachedBlocks(); }
    public long evictedBlocks() { return scheduler().evictedBlocks(); }
    public long timeToFirstTokenCount() { return timeToFirstToken.count(); }

    private EngineScheduler scheduler() {
        EngineScheduler s = scheduler;
        if (s == null) {
            throw new IllegalStateException("engine not started");
        }
        return s;
    }

    void received() { received.incrementAndGet(); }
    void rejectedQueueFull() { rejectedQueueFull.incrementAndGet(); }
    void rejectedInvalid() { rejectedInvalid.incrementAndGet(); }
    void injectedFailure() { injectedFailures.incrementAndGet(); }
    void stalledDelta(int delta) { stalled.addAndGet(delta); }

    void admitted(int prompt, int cached) {
        prefixCacheQueries.addAndGet(prompt);
        prefixCacheHits.addAndGet(cached);
        promptTokens.addAndGet(prompt);
    }

    void generated(int tokens) { generationTokens.addAndGet(tokens); }

    void finished(String reason) {
        switch (reason) {
            case "stop" -> finishedStop.incrementAndGet();
            case "length" -> finishedLength.incrementAndGet();
            default -> aborted.incrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "SimulatorStats{received=" + requestsReceived() + ", completed=" + requestsCompleted()
                + ", aborted=" + requestsAborted() + ", rejected=" + requestsRejected()
                + ", failed=" + requestsFailed() + ", promptTokens=" + promptTokens()
                + ", cachedTokens=" + cachedTokens() + ", generationTokens=" + generationTokens() + "}";
    }
}
