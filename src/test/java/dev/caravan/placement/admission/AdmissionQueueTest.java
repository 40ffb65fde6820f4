package dev.caravan.placement.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.ClientDisconnect;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.proxy.VllmPriorityMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {

    private final AtomicBoolean capacity = new AtomicBoolean(false);
    private final List<String> admitted = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    // long recheck: only capacityFreed() admits, so the order is the queue's order
    private final AdmissionQueue q = new AdmissionQueue(10, Duration.ofSeconds(20), Duration.ofSeconds(10));

    @AfterEach
    void stop() throws InterruptedException {
        for (Thread t : threads) { t.interrupt(); t.join(2000); }
    }

    private static PlacementRequest r(String id, String workflow, double priority) {
        WorkflowMetadata md = workflow == null ? null : new WorkflowMetadata(workflow, "a", null, priority, ContextSharingStrategy.AUTO, Map.of());
        return new PlacementRequest(id, "m", "p", md, null, Set.of());
    }

    private void enqueue(PlacementRequest req) throws InterruptedException {
        int before = q.size();
        Thread t = new Thread(() -> {
            try {
                AdmissionQueue.Permit p = q.acquire(req, capacity::get, null, null);
                assertThat(p.queued()).isTrue();
                admitted.add(req.requestId());
            } catch (GatewayException e) {
                admitted.add("error:" + e.code());
            }
        });
        threads.add(t);
        t.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (q.size() == before && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(q.size()).isEqualTo(before + 1);
    }

    private void admitAll(int n) throws InterruptedException {
        capacity.set(true);
        for (int i = 0; i < n; i++) {
            q.capacityFreed();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (admitted.size() <= i && System.nanoTime() < deadline) Thread.sleep(1);
        }
        assertThat(admitted).hasSize(n);
    }

    @Test
    void passesStraightThroughWithCapacity() {
        AdmissionQueue.Permit p = q.acquire(r("x", "w", 1), () -> true, null, null);
        assertThat(p.queued()).isFalse();
        p.release();
        p.release(); // idempotent
    }

    @Test
    void highestPriorityFirst() throws InterruptedException {
        enqueue(r("low", "w1", 1.0));
        enqueue(r("high", "w2", 5.0));
        enqueue(r("mid", "w3", 2.0));
        enqueue(r("plain", null, 0));
        admitAll(4);
        assertThat(admitted).containsExactly("high", "mid", "low", "plain");
    }

    @Test
    void roundRobinBetweenWorkflowsOfEqualPriority() throws InterruptedException {
        enqueue(r("a1", "A", 1));
        enqueue(r("a2", "A", 1));
        enqueue(r("a3", "A", 1));
        enqueue(r("b1", "B", 1));
        enqueue(r("c1", "C", 1));
        admitAll(5);
        assertThat(admitted).containsExactly("a1", "b1", "c1", "a2", "a3");
    }

    @Test
    void fullQueueIs429() throws InterruptedException {
        AdmissionQueue small = new AdmissionQueue(1, Duration.ofSeconds(20), Duration.ofSeconds(10));
        Thread t = new Thread(() -> {
            try { small.acquire(r("w", "A", 1), () -> false, null, null); } catch (GatewayException ignored) { }
        });
        threads.add(t);
        t.start();
        awaitWaiting(small);
        assertThatThrownBy(() -> small.acquire(r("x", "B", 1), () -> false, null, null))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("queue_full");
                    assertThat(e.retryAfterSeconds()).isEqualTo(20);
                });
        assertThat(small.rejectedFull()).isEqualTo(1);
    }

    @Test
    void aRequestWhoseEnginesHaveRoomDoesNotWaitBehindAnotherModelsQueue() throws InterruptedException {
        AdmissionQueue small = new AdmissionQueue(1, Duration.ofSeconds(20), Duration.ofSeconds(10));
        // model A's engines are saturated: its request waits and fills the queue
        Thread t = new Thread(() -> {
            try { small.acquire(r("a", "A", 1), () -> false, null, null); } catch (GatewayException ignored) { }
        });
        threads.add(t);
        t.start();
        awaitWaiting(small);
        // model B's engines are idle: neither a 429 nor a wait
        long start = System.nanoTime();
        AdmissionQueue.Permit b = small.acquire(r("b", "B", 1), () -> true, null, null);
        assertThat(b.queued()).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
        assertThat(small.size()).isEqualTo(1);
        assertThat(small.rejectedFull()).isZero();
    }

    @Test
    void aNewcomerDoesNotOvertakeAWaiterThatCanUseTheFreedRoom() throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger free = new java.util.concurrent.atomic.AtomicInteger();
        Thread t = new Thread(() -> {
            q.acquireSlot(r("first", "A", 1), free::get, null, null);
            admitted.add("first");
        });
        threads.add(t);
        t.start();
        awaitWaiting(q);
        free.set(1); // room appeared (another replica's load dropped): no slot was freed here
        assertThatThrownBy(() -> q.acquireSlot(r("second", "B", 1), free::get, Duration.ofMillis(200), null))
                .isInstanceOf(GatewayException.class);
        t.join(5000);
        assertThat(admitted).containsExactly("first");
    }

    @Test
    void waitPastTimeoutIs429() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> q.acquire(r("x", "A", 1), () -> false, Duration.ofMillis(50), null))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("queue_timeout");
                });
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(q.size()).isZero();
    }

    @Test
    void waiterRechecksCapacityOnItsOwn() {
        AdmissionQueue fast = new AdmissionQueue(10, Duration.ofSeconds(5), Duration.ofMillis(5));
        long start = System.nanoTime();
        AdmissionQueue.Permit p = fast.acquire(r("x", "A", 1), () -> System.nanoTime() - start > 30_000_000L, null, null);
        long elapsed = System.nanoTime() - start;
        assertThat(p.queued()).isTrue();
        // nobody freed a slot: only the waiter's own re-check can have let it through, after 30 ms
        assertThat(elapsed).isGreaterThanOrEqualTo(30_000_000L);
        assertThat(p.waited()).isPositive();
    }

    @Test
    void vllmPriorityIsMonotoneAndLowerForMoreImportant() {
        VllmPriorityMapping m = new VllmPriorityMapping();
        assertThat(m.toVllm(1.0)).isEqualTo(90);
        assertThat(m.toVllm(2.0)).isLessThan(m.toVllm(1.0));
        assertThat(m.toVllm(0.5)).isGreaterThan(m.toVllm(1.0));
        assertThat(m.toVllm(1000)).isZero();
        assertThat(m.toVllm(-1000)).isEqualTo(200);
        assertThat(m.plainPriority()).isEqualTo(m.toVllm(WorkflowMetadata.DEFAULT_PRIORITY));
    }

    @Test
    void aGrantedSlotStaysHeldUntilTheRequestStarts() {
        AdmissionQueue q = new AdmissionQueue(10, Duration.ofMillis(50), Duration.ofMillis(5));
        // one free slot on the engines, and nothing has started on it yet
        AdmissionQueue.Permit first = q.acquireSlot(r("a", "A", 1), () -> 1, null, null);
        assertThat(q.reserved()).isEqualTo(1);
        assertThatThrownBy(() -> q.acquireSlot(r("b", "B", 1), () -> 1, null, null))
                .isInstanceOf(GatewayException.class);
        first.started(); // now counted in the engine's in-flight instead: free slots would read 0
        first.started();
        assertThat(q.reserved()).isZero();
        assertThat(q.acquireSlot(r("c", "C", 1), () -> 1, null, null).queued()).isFalse();
    }

    @Test
    void aWaiterWhoseClientLeavesLeavesTheQueueAtOnce() throws InterruptedException {
        ClientDisconnect client = new ClientDisconnect();
        Thread t = waiting(r("gone", "A", 1), capacity::get, client);
        awaitSize(1);
        long start = System.nanoTime();
        client.disconnected();
        t.join(5000);
        // the recheck interval is 10 s: only the disconnect's wake-up can have ended the wait this early
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
        assertThat(admitted).containsExactly("error:client_closed_request");
        assertThat(q.size()).isZero();
        assertThat(q.leftWhileQueued()).isEqualTo(1);
        assertThat(q.reserved()).isZero();
    }

    @Test
    void aSlotGrantedAsTheClientLeavesGoesToTheNextWaiter() throws InterruptedException {
        ClientDisconnect client = new ClientDisconnect();
        // the client leaves exactly while the queue grants it the freed slot
        waiting(r("leaving", "A", 1), () -> {
            if (capacity.get()) client.disconnected();
            return capacity.get();
        }, client);
        awaitSize(1);
        waiting(r("staying", "B", 1), capacity::get, null);
        awaitSize(2);
        capacity.set(true);
        q.capacityFreed();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (admitted.size() < 2 && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(admitted).containsExactlyInAnyOrder("error:client_closed_request", "staying");
        assertThat(q.reserved()).as("only the waiter that stayed holds a slot").isEqualTo(1);
        assertThat(q.size()).isZero();
    }

    private Thread waiting(PlacementRequest req, java.util.function.Supplier<Boolean> hasCapacity, ClientDisconnect client) {
        Thread t = new Thread(() -> {
            try {
                q.acquire(req, hasCapacity, null, client);
                admitted.add(req.requestId());
            } catch (GatewayException e) {
                admitted.add("error:" + e.code());
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    private void awaitSize(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (q.size() != n && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(q.size()).isEqualTo(n);
    }

    /** Until a request waits in {@code queue}: its thread has been started and reached the queue. */
    private static void awaitWaiting(AdmissionQueue queue) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (queue.size() == 0) {
            assertThat(System.nanoTime()).as("a request waits in the queue within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
