package dev.caravan.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;

/**
 * The engine loop: decides which waiting request runs next, when each running sequence produces
 * its next token, and when a sequence finishes or is aborted.
 *
 * <p>Like vLLM's V1 scheduler it runs at most {@code maxRunning} sequences, admits waiting ones in
 * policy order only when the KV cache can hold their prompt and output blocks (the head of the
 * queue blocks the rest, as in vLLM), and never preempts: a request's output blocks are reserved at
 * admission. One thread steps every running sequence, so open streams cost no thread each.
 *
 * <p>Two loops. Under {@code linear} and {@code batch-scaled} each sequence keeps its own clock: its
 * first token is due a prefill time after admission, each next one an inter-token latency after
 * the previous, at the batch size of that moment. Under {@code chunked-prefill} the loop runs
 * engine steps as vLLM V1 does ({@link #runStepLoop}): every sequence in a step gets its tokens at
 * the step's end, and a step lasts as long as what it holds.
 *
 * <p>With time scale 0 there is no loop thread: a request is admitted, generated and finished
 * within {@link #submit} on the caller's thread.
 */
final class EngineScheduler implements AutoCloseable {

    private final SimulatorConfig config;
    private final PrefixCache cache;
    private final LatencyModel latency;
    private final SimulatorStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<SimulatedSequence> waiting;
    private final List<SimulatedSequence> running = new ArrayList<>();
    /** Sequences of the chunked-prefill step in progress; reused so the loop allocates nothing per step. */
    private final List<SimulatedSequence> inStep = new ArrayList<>();
    private final boolean chunked;
    private final Thread loop;
    private long arrivals;
    private boolean closed;

    EngineScheduler(SimulatorConfig config, PrefixCache cache, SimulatorStats stats, String threadName) {
        this(config, cache, stats, threadName, () -> 1.0);
    }

    /** {@code slowdown} multiplies every latency computed from the moment it changes. */
    EngineScheduler(SimulatorConfig config, PrefixCache cache, SimulatorStats stats, String threadName,
                    DoubleSupplier slowdown) {
        this.config = config;
        this.cache = cache;
        this.latency = new LatencyModel(config, slowdown);
        this.stats = stats;
        this.chunked = config.latencyProfile() == LatencyProfile.CHUNKED_PREFILL;
        Comparator<SimulatedSequence> byArrival = Comparator.comparingLong(s -> s.arrivalOrder);
        this.waiting = new PriorityQueue<>(config.schedulingPolicy() == SchedulingPolicy.PRIORITY
                ? Comparator.<SimulatedSequence>comparingInt(s -> s.priority).thenComparing(byArrival)
                : byArrival);
        if (config.timeScale() > 0) {
            loop = new Thread(chunked ? this::runStepLoop : this::runLoop, threadName);
            loop.setDaemon(true);
            loop.start();
        } else {
            loop = null;
        }
    }

    /**
     * Queues the sequence (or, with time scale 0, runs it to completion at once).
     *
     * @throws SimulatorRequestException 429 when the waiting queue is full
     */
    void submit(SimulatedSequence seq) {
        if (loop == null) {
            runImmediately(seq);
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new SimulatorRequestException(503, "ServiceUnavailableError", null, "The engine is shutting down.");
            }
            seq.arrivalOrder = arrivals++;
            seq.arrivalNanos = System.nanoTime();
            waiting.add(seq);
            admitWaiting(seq.arrivalNanos);
            if (seq.state == SimulatedSequence.State.WAITING && waiting.size() > config.maxWaiting()) {
                waiting.remove(seq);
                stats.rejectedQueueFull();
                throw new SimulatorRequestException(429, "TooManyRequestsError", null,
                        "The engine's waiting queue is full (" + config.maxWaiting() + " requests).");
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Drops a waiting or running sequence, freeing its slot and blocks; no-op once it has ended. */
    void abort(SimulatedSequence seq) {
        lock.lock();
        try {
            if (seq.state == SimulatedSequence.State.WAITING) {
                waiting.remove(seq);
            } else if (seq.state == SimulatedSequence.State.RUNNING) {
                running.remove(seq);
                cache.release(seq.allocation, seq.finalBlockHashes(cache), seq.promptTokenIds, seq.outputTokenIds, seq.cacheSalt);
            } else {
                return;
            }
            seq.state = SimulatedSequence.State.ABORTED;
            stats.finished("abort");
            if (seq.generated > 0 || seq.allocation != null) {
                stats.e2eLatency.observeNanos(System.nanoTime() - seq.arrivalNanos);
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void runImmediately(SimulatedSequence seq) {
        seq.arrivalNanos = System.nanoTime();
        lock.lock();
        try {
            PrefixCache.Allocation a = cache.allocate(seq.blockHashes, seq.promptTokenIds, seq.cacheSalt, seq.promptTokens + seq.maxTokens);
            if (a == null) {
                throw new SimulatorRequestException(429, "TooManyRequestsError", null, "The KV cache is full.");
            }
            seq.allocation = a;
            stats.admitted(seq.promptTokens, a.cachedTokens());
            stats.generated(seq.maxTokens);
            seq.generated = seq.maxTokens;
            cache.release(a, seq.finalBlockHashes(cache), seq.promptTokenIds, seq.outputTokenIds, seq.cacheSalt);
            seq.state = SimulatedSequence.State.FINISHED;
            stats.finished(seq.finishReason);
        } finally {
            lock.unlock();
        }
        long elapsed = System.nanoTime() - seq.arrivalNanos;
        stats.timeToFirstToken.observeNanos(elapsed);
        stats.e2eLatency.observeNanos(elapsed);
        seq.sink.tokensAvailable(seq.maxTokens);
        seq.sink.finished(seq.finishReason, seq.cachedTokens());
    }

    private void runLoop() {
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                // Aborts free slots and blocks from other threads; whoever waits gets them here.
                admitWaiting(now);
                boolean freed = false;
                long nextDue = Long.MAX_VALUE;
                for (Iterator<SimulatedSequence> it = running.iterator(); it.hasNext(); ) {
                    SimulatedSequence seq = it.next();
                    if (seq.nextTokenAtNanos <= now && step(seq, now)) {
                        it.remove();
                        freed = true;
                    } else {
                        nextDue = Math.min(nextDue, seq.nextTokenAtNanos);
                    }
                }
                if (freed) {
                    continue;
                }
                long wait = nextDue == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : nextDue - System.nanoTime();
                if (wait > 0) {
                    changed.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Emits every token of {@code seq} that is due; returns true when the sequence finished. */
    private boolean step(SimulatedSequence seq, long now) {
        int before = seq.generated;
        while (seq.nextTokenAtNanos <= now && seq.generated < seq.maxTokens) {
            long at = seq.nextTokenAtNanos;
            emit(seq, at);
            // Scheduled from the previous token's due time, so a late wake-up does not slow the stream down.
            seq.nextTokenAtNanos = at + latency.interTokenNanos(running.size());
        }
        int produced = seq.generated - before;
        stats.generated(produced);
        seq.sink.tokensAvailable(seq.generated);
        if (seq.generated < seq.maxTokens) {
            return false;
        }
        finish(seq);
        return true;
    }

    /**
     * The chunked-prefill loop, after vLLM V1's scheduler with chunked prefill (decodes first, as
     * vLLM's chunked-prefill policy prioritizes them): a step gives every decoding sequence its one
     * token, then hands what is left of the {@code max-num-batched-tokens} budget to prefills in
     * admission order; a prompt that does not fit takes what is left and goes on in the next step,
     * and one behind it waits. The step lasts {@link LatencyModel#stepNanos} of what it holds, so a
     * long prefill stalls every decode beside it, and its tokens (a finished prefill's first one
     * included) appear at its end. Requests admitted during a step join the next; a sequence aborted
     * during a step is dropped from it. Steps follow each other from the previous step's planned
     * end, so a late wake-up does not slow the engine down.
     */
    private void runStepLoop() {
        lock.lock();
        try {
            boolean busy = false;
            long lastStepEnd = 0;
            while (!closed) {
                long now = System.nanoTime();
                admitWaiting(now);
                long start = busy ? lastStepEnd : now;
                long earliestReady = planStep(start);
                if (inStep.isEmpty()) {
                    busy = false;
                    long wait = earliestReady == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : earliestReady - System.nanoTime();
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                    }
                    continue;
                }
                int prefillTokens = 0;
                for (SimulatedSequence seq : inStep) {
                    prefillTokens += seq.prefillRemaining > 0 ? seq.stepTokens : 0;
                }
                long end = start + latency.stepNanos(inStep.size(), prefillTokens);
                long remaining;
                while (!closed && (remaining = end - System.nanoTime()) > 0) {
                    changed.awaitNanos(remaining);
                }
                if (closed) {
                    break;
                }
                completeStep(end);
                lastStepEnd = end;
                busy = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inStep.clear();
            lock.unlock();
        }
    }

    /** Fills {@link #inStep} for a step starting at {@code start}; returns when the next not-yet-ready prefill gets ready. */
    private long planStep(long start) {
        inStep.clear();
        int budget = config.maxNumBatchedTokens();
        for (SimulatedSequence seq : running) {
            if (seq.prefillRemaining == 0) {
                seq.stepTokens = 1;
                inStep.add(seq);
                budget--;
            }
        }
        long earliestReady = Long.MAX_VALUE;
        for (SimulatedSequence seq : running) {
            if (seq.prefillRemaining == 0) {
                continue;
            }
            if (seq.prefillReadyAtNanos > start) {
                earliestReady = Math.min(earliestReady, seq.prefillReadyAtNanos);
            } else if (budget > 0) {
                seq.stepTokens = Math.min(seq.prefillRemaining, budget);
                budget -= seq.stepTokens;
                inStep.add(seq);
            }
        }
        return earliestReady;
    }

    private void completeStep(long end) {
        boolean freed = false;
        for (SimulatedSequence seq : inStep) {
            if (seq.state != SimulatedSequence.State.RUNNING) {
                continue;
            }
            if (seq.prefillRemaining > 0) {
                seq.prefillRemaining -= seq.stepTokens;
                if (seq.prefillRemaining > 0) {
                    continue;
                }
            }
            if (seq.generated < seq.maxTokens) {
                emit(seq, end);
                stats.generated(1);
                seq.sink.tokensAvailable(seq.generated);
            }
            if (seq.generated >= seq.maxTokens) {
                finish(seq);
                freed = true;
            }
        }
        inStep.clear();
        if (freed) {
            running.removeIf(s -> s.state == SimulatedSequence.State.FINISHED);
        }
    }

    private void emit(SimulatedSequence seq, long at) {
        if (seq.generated == 0) {
            stats.timeToFirstToken.observeNanos(at - seq.arrivalNanos);
        } else {
            stats.interTokenLatency.observeNanos(at - seq.lastTokenAtNanos);
        }
        seq.generated++;
        seq.lastTokenAtNanos = at;
    }

    private void finish(SimulatedSequence seq) {
        seq.state = SimulatedSequence.State.FINISHED;
        cache.release(seq.allocation, seq.finalBlockHashes(cache), seq.promptTokenIds, seq.outputTokenIds, seq.cacheSalt);
        stats.finished(seq.finishReason);
        stats.e2eLatency.observeNanos(seq.lastTokenAtNanos - seq.arrivalNanos);
        seq.sink.finished(seq.finishReason, seq.cachedTokens());
    }

    private void admitWaiting(long now) {
        while (running.size() < config.maxRunning() && !waiting.isEmpty()) {
            SimulatedSequence head = waiting.peek();
            PrefixCache.Allocation a = cache.allocate(head.blockHashes, head.promptTokenIds, head.cacheSalt,
                    head.promptTokens + head.maxTokens);
            if (a == null) {
                return;
            }
            waiting.poll();
            head.allocation = a;
            head.state = SimulatedSequence.State.RUNNING;
            running.add(head);
            stats.admitted(head.promptTokens, a.cachedTokens());
            if (chunked) {
                head.prefillRemaining = head.promptTokens - a.cachedTokens();
                head.prefillReadyAtNanos = now + latency.prefillOverheadNanos();
            } else {
                head.nextTokenAtNanos = now + latency.prefillNanos(head.promptTokens - a.cachedTokens(), running.size());
            }
        }
    }

    int running() {
        lock.lock();
        try {
            return running.size();
        } finally {
            lock.unlock();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    double kvCacheUsage() {
        lock.lock();
        try {
            return cache.usage();
        } finally {
            lock.unlock();
        }
    }

    int cachedBlocks() {
        lock.lock();
        try {
            return cache.cachedBlocks();
        } finally {
            lock.unlock();
        }
    }

    long evictedBlocks() {
        lock.lock();
        try {
            return cache.evictions();
        } finally {
            lock.unlock();
        }
    }

    /** Leading blocks of a prompt that are cached now; lets tests look at the cache without a request. */
    int cachedPrefixBlocks(long[] hashes) {
        lock.lock();
        try {
            return cache.cachedPrefixBlocks(hashes);
        } finally {
            lock.unlock();
        }
    }

    /** vLLM's {@code /reset_prefix_cache}: false while requests hold blocks. */
    boolean resetPrefixCache() {
        lock.lock();
        try {
            return cache.reset();
        } finally {
            lock.unlock();
        }
    }

    /** Live figures for one consistent {@code /metrics} scrape. */
    Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(running.size(), waiting.size(), cache.usage());
        } finally {
            lock.unlock();
        }
    }

    record Snapshot(int running, int waiting, double kvCacheUsage) {
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            running.forEach(s -> s.state = SimulatedSequence.State.ABORTED);
            waiting.forEach(s -> s.state = SimulatedSequence.State.ABORTED);
            running.clear();
            waiting.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
