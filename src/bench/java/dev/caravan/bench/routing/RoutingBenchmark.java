package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Routing-quality benchmark: replays each workload under each placement policy, on identical fresh
 * simulated engines behind a fresh gateway per run, and writes {@code results.json},
 * {@code summary.csv} and PNG plots to {@code --out}. See docs/benchmarks.md, "Routing quality".
 *
 * <p>{@code --target=http://host:port} instead drives one already running gateway (one run per
 * workload, labelled {@code target}; hit rate from usage, no engine sampling).
 */
public final class RoutingBenchmark {

    private final BenchOptions options;
    private final PrintStream out;

    RoutingBenchmark(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Map<String, Object> results = new RoutingBenchmark(new BenchOptions(args), System.out).run();
        System.out.println("results: " + results.get("out"));
        System.exit(0); // simulator and HTTP client pools are daemon threads, but Spring leftovers may not be
    }

    Map<String, Object> run() throws Exception {
        long t0 = System.nanoTime();
        List<Workload> workloads = options.workloads();
        List<PolicyUnderTest> policies = options.policies();
        int blockSize = SimulatorConfig.defaults().blockSize();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> workloadInfo = new ArrayList<>();
        Map<String, Map<String, double[]>> ttfts = new LinkedHashMap<>();
        ResultFiles files = new ResultFiles(options.out());
        if (options.target() != null) {
            out.printf("Routing benchmark: %d workloads against the gateway at %s%n", workloads.size(), options.target());
        } else {
            out.printf("Routing benchmark: %d workloads x %d policies, %d engines, engine options %s%n",
                    workloads.size(), policies.size(), options.engines(), options.engineOptions());
        }
        for (Workload w : workloads) {
            out.printf("[%s] computing the infinite-cache bound...%n", w.name());
            double bound = PrefixBound.hitRate(w, blockSize);
            out.printf("[%s] bound hit rate %.4f%n", w.name(), bound);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("workload", w.name());
            info.put("workflow_metadata", w.workflow());
            info.put("parameters", w.parameters());
            info.put("engine_options", options.engineOptionsFor(w));
            info.put("hit_rate_bound", RunSummary.r4(bound));
            double pooled = -1;
            if (w.replaysTrace()) {
                Map<String, String> engine = options.engineOptionsFor(w);
                long blocks = (long) options.engines() * Long.parseLong(engine.get("kv-cache-blocks"));
                if (options.target() != null) {
                    long reported = TargetKvCapacity.blocks(URI.create(options.target()), blockSize);
                    if (reported > 0) {
                        blocks = reported;
                    } else {
                        out.printf("[%s] the target's engines do not all report their KV-cache size (/health kv_cache_tokens):"
                                + " the pooled-cache reference assumes --engines x --mooncake-kv-cache-blocks%n", w.name());
                    }
                    info.put("pooled_cache_blocks_from", reported > 0 ? "target /health" : "options");
                }
                out.printf("[%s] replaying it in order through one cache of %d blocks (all engines' together)...%n", w.name(), blocks);
                pooled = PooledCacheReference.hitRate(w, blockSize, blocks, engine);
                out.printf("[%s] pooled-cache hit rate %.4f%n", w.name(), pooled);
                info.put("hit_rate_pooled_cache", RunSummary.r4(pooled));
            }
            Map<String, Object> seed = new LinkedHashMap<>();
            info.put("seed_plan_fields", seed);
            workloadInfo.add(info);
            Map<String, double[]> perPolicy = new LinkedHashMap<>();
            ttfts.put(w.name(), perPolicy);
            if (options.target() != null) {
                rows.add(withPooled(runOnce(w, "target", URI.create(options.target()), null, bound, seed, perPolicy), pooled));
            } else {
                for (PolicyUnderTest p : policies) {
                    try (GatewayUnderTest gw = GatewayUnderTest.start(p, options.engines(), options.engineOptionsFor(w), p.properties())) {
                        rows.add(withPooled(runOnce(w, p.label(), gw.baseUrl(), gw.simulators(), bound, seed, perPolicy), pooled));
                    }
                }
            }
            files.write(workloadInfo, rows, ttfts, (System.nanoTime() - t0) / 1e9); // partial results survive a crash
        }
        Charts.write(options.out(), rows, ttfts);
        Map<String, Object> summary = files.write(workloadInfo, rows, ttfts, (System.nanoTime() - t0) / 1e9);
        out.println();
        out.println(ResultFiles.markdownTable(rows));
        summary.put("out", options.out().toAbsolutePath().toString());
        return summary;
    }

    /** Adds the pooled-cache reference, where the workload has one, to a run's row. */
    private static Map<String, Object> withPooled(Map<String, Object> row, double pooled) {
        if (pooled >= 0) {
            row.put("hit_rate_pooled_cache", RunSummary.r4(pooled));
            row.put("hit_rate_of_pooled_cache", RunSummary.r4(pooled > 0 ? ((Number) row.get("hit_rate")).doubleValue() / pooled : 0));
        }
        return row;
    }

    private Map<String, Object> runOnce(Workload w, String policy, URI gateway, List<SimulatedEngine> sims, double bound,
                                        Map<String, Object> seedFields, Map<String, double[]> ttfts) throws Exception {
        String label = w.name() + " | " + policy;
        out.printf("[%s] starting at %s (%d calls)%n", label, Instant.now(), w.expectedCalls());
        long start = System.nanoTime();
        List<CallResult> results;
        EngineSampler sampler = sims == null ? null : new EngineSampler(sims, 100);
        try (HttpDriver driver = new HttpDriver(gateway, true);
             Progress progress = new Progress(out, label, driver, w.expectedCalls(), 5000)) {
            w.run(driver).get(30, TimeUnit.MINUTES);
            results = driver.results();
        } finally {
            if (sampler != null) sampler.close();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        EngineMetrics metrics = sims == null ? null : EngineMetrics.scrape(sims.stream().map(SimulatedEngine::baseUrl).toList());
        Map<String, Object> row = RunSummary.of(w.name(), policy, results, metrics, sampler, bound, wall,
                sims == null ? 1 : sims.size());
        Map<String, Object> fields = w.seedPlanFields(results);
        if (!fields.isEmpty()) {
            seedFields.put(policy, fields);
            row.put("seed_plan_fields", fields);
        }
        ttfts.put(policy, results.stream().filter(CallResult::ok).mapToDouble(CallResult::ttftMs).toArray());
        out.printf("[%s] done in %.1fs: ttft p50 %.0f ms p99 %.0f ms, hit %.3f (bound %.3f), imbalance %.2f, errors %s%n",
                label, wall, row.get("ttft_p50_ms"), row.get("ttft_p99_ms"), row.get("hit_rate"), bound,
                row.get("imbalance_requests"), row.get("errors"));
        return row;
    }
}
