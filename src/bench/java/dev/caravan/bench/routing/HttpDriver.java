package dev.caravan.bench.routing;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Sends a workload's calls over HTTP and keeps every result. Paced: calls go out at the workload's
 * own times (arrival processes, round gaps). Unpaced (the bound run): every {@link #at} runs at once,
 * since an infinite cache makes the hit count independent of timing.
 *
 * <p>{@link #direct} sends to engines instead of a gateway: call {@code n} goes to engine
 * {@code n mod engines} (the client's own round robin), without {@code workflow_metadata} (vLLM knows
 * no such field), and its result names the engine as the gateway would ({@code sim-i}).
 */
final class HttpDriver implements Driver, AutoCloseable {

    private final List<StreamingChatClient> clients;
    private final boolean direct;
    private final AtomicInteger next = new AtomicInteger();
    private final boolean paced;
    private final long t0 = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-timer"));
    private final ExecutorService io = Executors.newFixedThreadPool(4, r -> daemon(r, "bench-http"));
    private final ConcurrentLinkedQueue<CallResult> results = new ConcurrentLinkedQueue<>();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    HttpDriver(URI baseUrl, boolean paced) {
        this(List.of(baseUrl), false, paced);
    }

    private HttpDriver(List<URI> baseUrls, boolean direct, boolean paced) {
        this.clients = baseUrls.stream().map(u -> new StreamingChatClient(u, io)).toList();
        this.direct = direct;
        this.paced = paced;
    }

    /** Round robin by the client over {@code engines}, straight to them, paced. */
    static HttpDriver direct(List<URI> engines) {
        if (engines.isEmpty()) throw new IllegalArgumentException("no engines to send to");
        return new HttpDriver(engines, true, true);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public CompletableFuture<CallResult> call(ChatCall call) {
        sent.incrementAndGet();
        int engine = direct ? Math.floorMod(next.getAndIncrement(), clients.size()) : 0;
        ChatCall sending = direct ? new ChatCall(call.session(), call.phase(), call.messages(), call.maxTokens(), null) : call;
        return clients.get(engine).send(sending, nowMs(), System.nanoTime()).thenApply(r -> {
            if (direct) {
                r = new CallResult(r.session(), r.phase(), r.startMs(), r.ttftMs(), r.e2eMs(), r.status(), r.responseId(),
                        "sim-" + engine, "client-round-robin", r.promptTokens(), r.cachedTokens());
            }
            results.add(r);
            done.incrementAndGet();
            if (!r.ok()) failed.incrementAndGet();
            return r;
        });
    }

    @Override
    public CompletableFuture<Void> at(double delayMs, Supplier<CompletableFuture<?>> task) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                task.get().whenComplete((v, e) -> f.complete(null));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        };
        double wait = delayMs - nowMs();
        if (!paced || wait <= 0) timer.execute(run);
        else timer.schedule(run, (long) (wait * 1000), TimeUnit.MICROSECONDS);
        return f;
    }

    @Override
    public double nowMs() { return (System.nanoTime() - t0) / 1e6; }

    List<CallResult> results() { return List.copyOf(results); }

    int inFlight() { return sent.get() - done.get(); }

    @Override
    public void close() {
        timer.shutdownNow();
        io.shutdownNow();
    }
}
