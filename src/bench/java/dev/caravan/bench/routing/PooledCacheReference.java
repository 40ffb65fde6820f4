package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What one least-recently-used cache as large as all the engines together would keep of the
 * workload: its requests, one at a time in arrival order, sent to a single simulated engine whose KV
 * cache has the blocks of all the benchmark's engines. It is the hit rate of placement that keeps no
 * prefix twice when the engines evict the way vLLM does, and the figure to read policies against on
 * a trace whose working set is larger than the caches (Mooncake): there the infinite-cache bound
 * counts reuse that comes back only after every cache has been rewritten. A reference, not a bound:
 * separate caches can keep what one pooled cache evicts (new prompts written to one engine push out
 * nothing on the others), and prefix-following policies pass it by a few per cent in measured runs.
 *
 * <p>Only for workloads whose calls do not wait for one another (a trace replay): calls are queued
 * in the order the workload issues them, which is arrival order only when no call waits for another's
 * answer.
 */
final class PooledCacheReference {

    private PooledCacheReference() {}

    static double hitRate(Workload workload, int blockSize, long totalBlocks, Map<String, String> engineOptions) throws Exception {
        List<String> args = new ArrayList<>(List.of("--block-size=" + blockSize, "--kv-cache-blocks=" + totalBlocks));
        String maxModelLen = engineOptions.get("max-model-len"); // the only engine option that changes what is cached
        if (maxModelLen != null) args.add("--max-model-len=" + maxModelLen);
        return PrefixBound.onOneEngine(workload, OneAtATime::new, args.toArray(String[]::new));
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
