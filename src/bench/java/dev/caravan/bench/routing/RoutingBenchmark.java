package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        List<SimulatorProfile> profiles = options.profiles();
        int blockSize = SimulatorConfig.defaults().blockSize();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> workloadInfo = new ArrayList<>();
        Map<String, Map<String, double[]>> ttfts = new LinkedHashMap<>();
        ResultFiles files = new ResultFiles(options.out());
        if (options.target() != null) {
            out.printf("Routing benchmark: %d workloads against the gateway at %s%n", workloads.size(), options.target());
        } else {
            out.printf("Routing benchmark: %d workloads x %d policies x %d simulator profiles %s, %d engines, engine options %s%n",
                    workloads.size(), policies.size(), profiles.size(), profiles.stream().map(p -> p.label).toList(),
                    options.engines(), options.engineOptions());
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
            if (options.target() == null) {
                Map<String, Object> byProfile = new LinkedHashMap<>();
                for (SimulatorProfile profile : profiles) {
                    byProfile.put(profile.label, Map.of("engine_options", profile.engineOptions,
                            "gateway_properties", profile.gatewayProperties));
                }
                info.put("profiles", byProfile);
            }
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
            if (options.target() != null) {
                Map<String, double[]> perPolicy = new LinkedHashMap<>();
                ttfts.put(w.name(), perPolicy);
                rows.add(withPooled(runOnce(w, null, PolicyUnderTest.same("target"), URI.create(options.target()), null,
                        bound, seed, perPolicy), pooled));
            } else {
                for (SimulatorProfile profile : profiles) {
                    Map<String, double[]> perPolicy = new LinkedHashMap<>();
                    ttfts.put(profile.key(w.name()), perPolicy);
                    Map<String, String> engine = new LinkedHashMap<>(options.engineOptionsFor(w));
                    engine.putAll(profile.engineOptions);
                    for (PolicyUnderTest p : policies) {
                        Map<String, String> props = new LinkedHashMap<>(profile.gatewayProperties);
                        props.putAll(p.properties());
                        try (GatewayUnderTest gw = start(profile, p, engine, props)) {
                            Map<String, Object> row = runOnce(w, profile, p, gw.baseUrl(), gw.simulators(), bound, seed, perPolicy);
                            if (!profile.gatewayProperties.isEmpty() && identicalEngines(gw.simulators())) {
                                String warning = "every engine has the same configuration although the profile sets "
                                        + profile.gatewayProperties + ": this gateway may not know them yet (branch sim-profiles),"
                                        + " the run is then the linear profile";
                                out.printf("[%s | %s] WARNING: %s%n", w.name(), profile.label, warning);
                                row.put("profile_warning", warning);
                            }
                            rows.add(withPooled(row, pooled));
                        }
                    }
                }
            }
            files.write(workloadInfo, rows, ttfts, (System.nanoTime() - t0) / 1e9); // partial results survive a crash
        }
        Charts.write(options.out(), rows, ttfts);
        Map<String, Object> summary = files.write(workloadInfo, rows, ttfts, (System.nanoTime() - t0) / 1e9);
        out.println();
        out.println(ResultFiles.markdownTable(rows));
        String acceptance = Acceptance.report(rows);
        if (!acceptance.isEmpty()) {
            Files.writeString(options.out().resolve("acceptance.md"), acceptance);
            out.println(acceptance);
        }
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

    /**
     * Starts the gateway and its engines for one run; a profile's options that the simulator rejects
     * (it does not know them yet) fail the benchmark with a message that says so.
     */
    private GatewayUnderTest start(SimulatorProfile profile, PolicyUnderTest p, Map<String, String> engine,
                                          Map<String, String> props) {
        try {
            return GatewayUnderTest.start(p, options.engines(), engine, props);
        } catch (RuntimeException e) {
            if (profile == SimulatorProfile.LINEAR) throw e;
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            throw new IllegalStateException("simulator profile " + profile.label + " (engine options " + profile.engineOptions
                    + ", gateway properties " + profile.gatewayProperties + ") could not start the engines: " + root.getMessage()
                    + ". This simulator does not support the profile yet (it comes with branch sim-profiles);"
                    + " run --profiles=linear until then.", e);
        }
    }

    /**
     * Every call of the run, one line each, under {@code calls/} in the output directory: which
     * requests make a tail (phase, engine, placement, start and cached tokens) is read from there.
     */
    private void writeCalls(String label, List<CallResult> results) throws IOException {
        Path dir = options.out().resolve("calls");
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("session,phase,start_ms,ttft_ms,e2e_ms,status,engine,placement,prompt_tokens,cached_tokens\n");
        for (CallResult c : results) {
            csv.append(c.session()).append(',').append(c.phase()).append(',').append(RunSummary.r1(c.startMs())).append(',')
                    .append(RunSummary.r1(c.ttftMs())).append(',').append(RunSummary.r1(c.e2eMs())).append(',').append(c.status()).append(',')
                    .append(c.engine() == null ? "" : c.engine()).append(',').append(c.placement() == null ? "" : c.placement()).append(',')
                    .append(c.promptTokens()).append(',').append(c.cachedTokens()).append('\n');
        }
        Files.writeString(dir.resolve(label.replaceAll("[^A-Za-z0-9.=-]+", "_") + ".csv"), csv);
    }

    /** Whether the engines' configurations differ in nothing but port and seed. */
    private static boolean identicalEngines(List<SimulatedEngine> sims) {
        return sims.stream().map(s -> s.config().toString().replaceAll("port=\\d+", "").replaceAll("seed=\\d+", ""))
                .distinct().count() <= 1;
    }

    private Map<String, Object> runOnce(Workload w, SimulatorProfile profile, PolicyUnderTest p, URI gateway,
                                        List<SimulatedEngine> sims, double bound,
                                        Map<String, Object> seedFields, Map<String, double[]> ttfts) throws Exception {
        String policy = p.label();
        String label = w.name() + (profile == null || profile == SimulatorProfile.LINEAR ? "" : " [" + profile.label + "]")
                + " | " + policy;
        out.printf("[%s] starting at %s (%d calls)%n", label, Instant.now(), w.expectedCalls());
        long start = System.nanoTime();
        List<CallResult> results;
        EngineSampler sampler = sims == null ? null : new EngineSampler(sims, 100);
        try (HttpDriver driver = p.direct() ? HttpDriver.direct(sims.stream().map(SimulatedEngine::baseUrl).toList())
                : new HttpDriver(gateway, true);
             Progress progress = new Progress(out, label, driver, w.expectedCalls(), 5000)) {
            w.run(driver).get(30, TimeUnit.MINUTES);
            results = driver.results();
        } finally {
            if (sampler != null) sampler.close();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        EngineMetrics metrics = sims == null ? null : EngineMetrics.scrape(sims.stream().map(SimulatedEngine::baseUrl).toList());
        Map<String, Object> row = RunSummary.of(w.name(), profile == null ? null : profile.label, policy, results, metrics, sampler, bound, wall,
                sims == null ? 1 : sims.size());
        Map<String, Object> fields = w.seedPlanFields(results);
        if (!fields.isEmpty()) {
            seedFields.put(profile == null || profile == SimulatorProfile.LINEAR ? policy : policy + " [" + profile.label + "]", fields);
            row.put("seed_plan_fields", fields);
        }
        ttfts.put(policy, results.stream().filter(CallResult::ok).mapToDouble(CallResult::ttftMs).toArray());
        writeCalls(label, results);
        out.printf("[%s] done in %.1fs: ttft p50 %.0f ms p99 %.0f ms, hit %.3f (bound %.3f), imbalance %.2f, errors %s%n",
                label, wall, row.get("ttft_p50_ms"), row.get("ttft_p99_ms"), row.get("hit_rate"), bound,
                row.get("imbalance_requests"), row.get("errors"));
        return row;
    }
}
