package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The figures reported for one workload under one policy. */
final class RunSummary {

    /** Columns of the CSV summary, in order. */
    static final List<String> COLUMNS = List.of("workload", "profile", "policy", "requests", "errors",
            "ttft_p50_ms", "ttft_p95_ms", "ttft_p99_ms", "e2e_p50_ms", "e2e_p95_ms", "e2e_p99_ms",
            "throughput_rps", "hit_rate", "hit_rate_usage", "hit_rate_bound", "hit_rate_of_bound",
            "hit_rate_pooled_cache", "hit_rate_of_pooled_cache",
            "imbalance_requests", "imbalance_busy", "moved_requests",
            "kv_blocks_peak", "kv_blocks_mean", "kv_block_seconds_per_request", "wall_s");

    private RunSummary() {}

    static Map<String, Object> of(String workload, String profile, String policy, List<CallResult> results,
                                  EngineMetrics metrics, EngineSampler sampler, double bound, double wallSeconds,
                                  int engines) {
        List<CallResult> ok = results.stream().filter(CallResult::ok).toList();
        double[] ttft = ok.stream().mapToDouble(CallResult::ttftMs).toArray();
        double[] e2e = ok.stream().mapToDouble(CallResult::e2eMs).toArray();
        double first = ok.stream().mapToDouble(CallResult::startMs).min().orElse(0);
        double last = ok.stream().mapToDouble(r -> r.startMs() + r.e2eMs()).max().orElse(0);
        double span = Math.max(1e-3, (last - first) / 1000.0);
        long prompt = ok.stream().mapToLong(r -> Math.max(0, r.promptTokens())).sum();
        long cached = ok.stream().mapToLong(r -> Math.max(0, r.cachedTokens())).sum();

        Map<String, Integer> perEngine = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (CallResult r : results) {
            if (r.engine() != null) perEngine.merge(r.engine(), 1, Integer::sum);
            if (r.placement() != null) reasons.merge(r.placement(), 1, Integer::sum);
        }
        int moved = reasons.getOrDefault("spill", 0) + reasons.getOrDefault("failover", 0);
        double hit = metrics != null ? metrics.hitRate() : (prompt == 0 ? 0 : (double) cached / prompt);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload);
        m.put("profile", profile);
        m.put("policy", policy);
        m.put("requests", results.size());
        m.put("errors", results.size() - ok.size());
        m.put("ttft_p50_ms", r1(Stats.percentile(ttft, 50)));
        m.put("ttft_p95_ms", r1(Stats.percentile(ttft, 95)));
        m.put("ttft_p99_ms", r1(Stats.percentile(ttft, 99)));
        m.put("e2e_p50_ms", r1(Stats.percentile(e2e, 50)));
        m.put("e2e_p95_ms", r1(Stats.percentile(e2e, 95)));
        m.put("e2e_p99_ms", r1(Stats.percentile(e2e, 99)));
        m.put("throughput_rps", r3(ok.size() / span));
        m.put("hit_rate", r4(hit));
        m.put("hit_rate_usage", r4(prompt == 0 ? 0 : (double) cached / prompt));
        m.put("hit_rate_bound", r4(bound));
        m.put("hit_rate_of_bound", r4(bound > 0 ? hit / bound : 0));
        m.put("imbalance_requests", r3(maxOverMean(perEngine.values().stream().mapToDouble(Integer::doubleValue).toArray(), engines)));
        m.put("imbalance_busy", sampler == null ? null : r3(maxOverMean(sampler.seqSeconds(), engines)));
        m.put("moved_requests", moved);
        m.put("kv_blocks_peak", sampler == null ? null : r1(sampler.peakBlocks()));
        m.put("kv_blocks_mean", sampler == null ? null : r1(sampler.meanBlocks()));
        m.put("kv_block_seconds_per_request", sampler == null ? null : r3(sampler.blockSeconds() / Math.max(1, ok.size())));
        m.put("wall_s", r1(wallSeconds));
        m.put("requests_per_engine", perEngine);
        m.put("placement_reasons", reasons);
        m.put("ttft_by_phase_ms", byPhase(ok));
        return m;
    }

    /** TTFT p50 / p99 per workload phase (planner, worker, ...): where a tail comes from. */
    private static Map<String, Map<String, Object>> byPhase(List<CallResult> ok) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        ok.stream().filter(r -> r.phase() != null)
                .collect(java.util.stream.Collectors.groupingBy(CallResult::phase, TreeMap::new, java.util.stream.Collectors.toList()))
                .forEach((phase, calls) -> {
                    double[] t = calls.stream().mapToDouble(CallResult::ttftMs).toArray();
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("requests", calls.size());
                    f.put("ttft_p50_ms", r1(Stats.percentile(t, 50)));
                    f.put("ttft_p99_ms", r1(Stats.percentile(t, 99)));
                    out.put(phase, f);
                });
        return out;
    }

    /** Max over mean, counting engines that got nothing as zeros. */
    static double maxOverMean(double[] values, int engines) {
        double sum = 0, max = 0;
        for (double v : values) {
            sum += v;
            max = Math.max(max, v);
        }
        int n = Math.max(engines, values.length);
        return sum == 0 ? 0 : max / (sum / n);
    }

    static double r1(double v) { return Math.round(v * 10.0) / 10.0; }
    static double r3(double v) { return Math.round(v * 1000.0) / 1000.0; }
    static double r4(double v) { return Math.round(v * 10000.0) / 10000.0; }
}
