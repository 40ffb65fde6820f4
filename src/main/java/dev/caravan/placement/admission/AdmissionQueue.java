package dev.caravan.placement.admission;

import dev.caravan.core.AdmissionSlot;
import dev.caravan.core.ClientDisconnect;
import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Gateway-side admission when every candidate engine is saturated.
 *
 * <p>A request that finds capacity and an empty queue passes straight through (no lock, no
 * allocation beyond the permit). Otherwise it waits in a bounded queue ordered by
 * {@code workflow_priority} (highest first) and, within one priority, round-robin between workflows
 * (each workflow is a flow; a workflow with 50 queued agents cannot starve one with a single
 * request). Plain requests are each their own flow. A full queue, or a wait past {@code maxWait},
 * answers 429 with {@code Retry-After}. A waiter whose client closes its connection leaves at once
 * (its place, or a slot granted to it in that moment, goes to the next waiter).
 *
 * <p>Wake-up: each finished request frees one slot, so {@link #capacityFreed()} admits at most one
 * waiter — the first, in priority-then-fairness order, whose own capacity check passes (its model may
 * be served by other engines than the one that freed up). Because engine metrics can also free
 * capacity without a request finishing here (another replica's load dropped), waiters re-check every
 * {@code recheck} interval as well.
 *
 * <p>The lock guards only queue bookkeeping and the capacity suppliers (which read volatile engine
 * fields); it is never held while anything talks to an engine.
 */
public final class AdmissionQueue {

    private final int capacity;
    private final Duration defaultMaxWait;
    private final long recheckNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<Double, Level> levels = new TreeMap<>(Comparator.reverseOrder());
    private volatile int size;
    private final AtomicInteger reserved = new AtomicInteger();
    private long rejectedFull;
    private long rejectedTimeout;
    private long leftWhileQueued;

    /**
     * @param capacity       waiting requests at most (0 disables queueing: saturated means 429)
     * @param defaultMaxWait wait used when {@link #acquire} gets a null maxWait
     * @param recheck        how often a waiter re-checks capacity on its own
     */
    public AdmissionQueue(int capacity, Duration defaultMaxWait, Duration recheck) {
        this.capacity = capacity;
        this.defaultMaxWait = defaultMaxWait;
        this.recheckNanos = Math.max(1_000_000L, recheck.toNanos());
    }

    /**
     * Admits the request: returns at once when there is capacity and nobody waits, otherwise waits
     * (blocking the calling thread) until admitted.
     *
     * @param hasCapacity whether some candidate engine of this request can take it now
     * @param maxWait     longest wait, null for the configured default
     * @param client      the request's client connection, or null: a client that leaves ends the wait
     *                    at once (its place goes to the next waiter, and a slot granted to it goes back)
     * @throws GatewayException 429 {@code queue_full} or {@code queue_timeout}; 503 when interrupted;
     *                          499 {@code client_closed_request} when the client left
     */
    public Permit acquire(PlacementRequest request, Supplier<Boolean> hasCapacity, Duration maxWait,
                          ClientDisconnect client) {
        if (size == 0 && hasCapacity.get()) return reservedPermit(false, 0);
        Duration wait = maxWait == null ? defaultMaxWait : maxWait;
        int retryAfter = (int) Math.max(1, (wait.toMillis() + 999) / 1000);
        long start = System.nanoTime();
        Waiter w;
        lock.lock();
        try {
            if (size == 0 && hasCapacity.get()) return reservedPermit(false, 0);
            if (size > 0 && hasCapacity.get()) {
                // Waiters that fit the room take it first, in their order. Room left after them is on
                // engines no waiter can use (another model's): waiting, or a 429 from a queue full of
                // that other model's requests, would hold this request for nothing.
                while (dispatch()) { }
                if (hasCapacity.get()) return reservedPermit(false, 0);
            }
            if (size >= capacity) {
                rejectedFull++;
                throw GatewayException.tooManyRequests("queue_full",
                        "All engines are saturated and the gateway queue is full; retry later", retryAfter);
            }
            w = new Waiter(flowKey(request), priority(request), hasCapacity, lock.newCondition());
            levels.computeIfAbsent(w.priority, p -> new Level()).add(w);
            size++;
            if (client != null) {
                Waiter waiter = w;
                client.onDisconnect(() -> wake(waiter));
            }
            try {
                long deadline = start + wait.toNanos();
                while (true) {
                    if (client != null && client.gone()) { // also when granted in the same moment
                        leave(w);
                        leftWhileQueued++;
                        throw ClientDisconnect.clientClosedRequest();
                    }
                    if (w.granted) break;
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        remove(w);
                        rejectedTimeout++;
                        throw GatewayException.tooManyRequests("queue_timeout",
                                "All engines stayed saturated for " + wait.toMillis() + " ms; retry later", retryAfter);
                    }
                    try {
                        w.cond.awaitNanos(Math.min(remaining, recheckNanos));
                    } catch (InterruptedException e) {
                        leave(w);
                        Thread.currentThread().interrupt();
                        throw GatewayException.unavailable("interrupted", "The gateway is shutting down", 1);
                    }
                    if (!w.granted) dispatch();
                }
            } finally {
                if (client != null) client.clear();
            }
        } finally {
            lock.unlock();
        }
        return new Permit(true, System.nanoTime() - start); // reserved when granted, under the lock
    }

    /**
     * Admits the request when its candidate engines have a free slot that no other admitted request
     * has claimed yet: a permit holds its slot from admission until {@link Permit#started()}, so two
     * waiters woken for one freed slot cannot both pass and one land on a full engine.
     *
     * @param freeSlots requests the candidate engines can still take (their in-flight counts)
     */
    public Permit acquireSlot(PlacementRequest request, IntSupplier freeSlots, Duration maxWait, ClientDisconnect client) {
        return acquire(request, () -> freeSlots.getAsInt() > reserved.get(), maxWait, client);
    }

    /**
     * Admits the request at once when its candidate engines have an unclaimed slot and nobody waits;
     * null when it would have to wait ({@link #acquireSlot} then waits). Never blocks.
     *
     * @param freeSlots requests the candidate engines can still take now
     */
    public Permit tryAcquireSlot(int freeSlots) {
        return size == 0 && freeSlots > reserved.get() ? reservedPermit(false, 0) : null;
    }

    /** Admitted requests not yet started on an engine. */
    public int reserved() { return reserved.get(); }

    private Permit reservedPermit(boolean queued, long waitedNanos) {
        reserved.incrementAndGet();
        return new Permit(queued, waitedNanos);
    }

    /** An engine freed a slot (a request finished): admit the next eligible waiter, if any. */
    public void capacityFreed() {
        if (size == 0) return;
        lock.lock();
        try {
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting now. */
    public int size() { return size; }
    public int capacity() { return capacity; }

    public long rejectedFull() {
        lock.lock();
        try { return rejectedFull; } finally { lock.unlock(); }
    }

    public long rejectedTimeout() {
        lock.lock();
        try { return rejectedTimeout; } finally { lock.unlock(); }
    }

    /** Requests whose client closed the connection while they waited. */
    public long leftWhileQueued() {
        lock.lock();
        try { return leftWhileQueued; } finally { lock.unlock(); }
    }

    // ---- under lock ----

    /** Grants the first waiter (priority, then round-robin between flows) that has capacity. */
    private boolean dispatch() {
        for (Level level : levels.values()) {
            Iterator<Map.Entry<String, ArrayDeque<Waiter>>> it = level.flows.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, ArrayDeque<Waiter>> flow = it.next();
                Waiter head = flow.getValue().peekFirst();
                if (head != null && head.hasCapacity.get()) {
                    grant(head);
                    return true;
                }
            }
        }
        return false;
    }

    private void grant(Waiter w) {
        Level level = levels.get(w.priority);
        ArrayDeque<Waiter> q = level.flows.remove(w.flow);
        q.pollFirst();
        if (!q.isEmpty()) level.flows.put(w.flow, q); // the flow goes to the back: round robin
        if (level.flows.isEmpty()) levels.remove(w.priority);
        size--;
        reserved.incrementAndGet();
        w.granted = true;
        w.cond.signal();
    }

    /** A waiter that will not run after all: out of the queue, or, if just granted, its slot to the next waiter. */
    private void leave(Waiter w) {
        if (!w.granted) {
            remove(w);
            return;
        }
        reserved.decrementAndGet();
        dispatch();
    }

    /** Makes the waiter look at its client again now rather than at its next re-check. */
    private void wake(Waiter w) {
        lock.lock();
        try {
            w.cond.signal();
        } finally {
            lock.unlock();
        }
    }

    private void remove(Waiter w) {
        Level level = levels.get(w.priority);
        if (level == null) return;
        ArrayDeque<Waiter> q = level.flows.get(w.flow);
        if (q == null || !q.remove(w)) return;
        if (q.isEmpty()) level.flows.remove(w.flow);
        if (level.flows.isEmpty()) levels.remove(w.priority);
        size--;
    }

    private static String flowKey(PlacementRequest r) {
        WorkflowMetadata md = r.workflow();
        if (md != null && md.workflowId() != null) return "w:" + md.workflowId();
        return "r:" + (r.requestId() != null ? r.requestId() : Integer.toHexString(System.identityHashCode(r)));
    }

    private static double priority(PlacementRequest r) {
        WorkflowMetadata md = r.workflow();
        if (md == null || Double.isNaN(md.workflowPriority())) return WorkflowMetadata.DEFAULT_PRIORITY;
        return md.workflowPriority();
    }

    private static final class Level {
        /** Insertion order is the round-robin order of the flows. */
        final LinkedHashMap<String, ArrayDeque<Waiter>> flows = new LinkedHashMap<>();

        void add(Waiter w) { flows.computeIfAbsent(w.flow, k -> new ArrayDeque<>()).addLast(w); }
    }

    private static final class Waiter {
        final String flow;
        final double priority;
        final Supplier<Boolean> hasCapacity;
        final Condition cond;
        boolean granted;

        Waiter(String flow, double priority, Supplier<Boolean> hasCapacity, Condition cond) {
            this.flow = flow;
            this.priority = priority;
            this.hasCapacity = hasCapacity;
            this.cond = cond;
        }
    }

    /**
     * Admission of one request. {@link #release()} when the request finishes wakes the next waiter;
     * call either it or {@link AdmissionQueue#capacityFreed()} for a finished request, not both.
     */
    public final class Permit implements AdmissionSlot, AutoCloseable {
        private final boolean queued;
        private final long waitedNanos;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean reserving = new AtomicBoolean(true);

        Permit(boolean queued, long waitedNanos) {
            this.queued = queued;
            this.waitedNanos = waitedNanos;
        }

        @Override
        public boolean queued() { return queued; }
        public long waitedNanos() { return waitedNanos; }
        public Duration waited() { return Duration.ofNanos(waitedNanos); }

        @Override
        public void started() {
            if (reserving.compareAndSet(true, false)) reserved.decrementAndGet();
        }

        /** Idempotent. */
        public void release() {
            started();
            if (released.compareAndSet(false, true)) capacityFreed();
        }

        @Override
        public void close() { release(); }
    }

}
