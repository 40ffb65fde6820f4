package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the engines' finite caches allow at best with least-recently-used eviction: the workload's
 * requests, one at a time in arrival order, sent to a single simulated engine whose KV cache is as
 * large as all the benchmark's engines together. It is what a placement would reach if the engines
 * acted as one cache with no prefix kept twice, and it is the figure to compare policies with on a
 * trace whose working set is larger than the caches (Mooncake): there the infinite-cache bound
 * counts reuse that comes back only after every cache has been rewritten, which no placement can
 * keep. Not a strict bound (vLLM evicts least recently used blocks, not those needed last, and
 * separate caches can by chance keep what one pooled cache would have evicted), but the ceiling of
 * the eviction the engines really do.
 *
 * <p>Only for workloads whose calls do not wait for one another (a trace replay): calls are queued
 * in the order the workload issues them, which is arrival order only when no call waits for another's
 * answer.
 */
final class PooledCacheReference {

    private PooledCacheReference() {}

    static double hitRate(Workload workload, int blockSize, long totalBlocks, Map<String, String> engineOptions) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port=0", "--time-scale=0", "--block-size=" + blockSize,
                "--max-waiting=1000000", "--io-threads=2"));
        String maxModelLen = engineOptions.get("max-model-len"); // the only engine option that changes what is cached
        if (maxModelLen != null) args.add("--max-model-len=" + maxModelLen);
        args.add("--kv-cache-blocks=" + totalBlocks);
        SimulatorConfig config = SimulatorConfig.fromArgs(args.toArray(String[]::new));
        try (SimulatedEngine engine = SimulatedEngine.start(config);
             HttpDriver http = new HttpDriver(engine.baseUrl(), false)) {
            workload.run(new OneAtATime(http)).get(30, TimeUnit.MINUTES);
            List<CallResult> bad = http.results().stream().filter(r -> r.status() != 200).toList();
            if (!bad.isEmpty()) throw new IllegalStateException(bad.size() + " reference calls failed, e.g. " + bad.get(0));
            return EngineMetrics.scrape(List.of(engine.baseUrl())).hitRate();
        }
    }

    /** Sends each call only when the one before it has ended, in the order the workload issued them. */
    private static final class OneAtATime implements Driver {
        private final HttpDriver http;
        private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

        OneAtATime(HttpDriver http) { this.http = http; }

        @Override
        public synchronized CompletableFuture<CallResult> call(ChatCall call) {
            CompletableFuture<CallResult> next = last.handle((v, e) -> null).thenCompose(v -> http.call(call));
            last = next;
            return next;
        }

        @Override
        public CompletableFuture<Void> at(double delayMs, Supplier<CompletableFuture<?>> task) {
            return http.at(delayMs, task); // unpaced: runs at once, on one timer thread, in the order given
        }

        @Override
        public double nowMs() { return http.nowMs(); }
    }
}
