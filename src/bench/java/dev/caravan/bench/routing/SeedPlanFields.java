package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small statistics over end-to-end latencies for the seed plan's result fields. */
final class SeedPlanFields {

    private SeedPlanFields() {}

    static Map<String, List<CallResult>> byWorkflow(List<CallResult> results) {
        Map<String, List<CallResult>> m = new LinkedHashMap<>();
        for (CallResult r : results) if (r.ok()) m.computeIfAbsent(r.session(), k -> new java.util.ArrayList<>()).add(r);
        return m;
    }

    static double mean(List<CallResult> rs) {
        return rs.stream().filter(CallResult::ok).mapToDouble(CallResult::e2eMs).average().orElse(0);
    }

    static double percentile(List<CallResult> rs, double p) {
        return Stats.percentile(rs.stream().filter(CallResult::ok).mapToDouble(CallResult::e2eMs).toArray(), p);
    }

    static double round(double v) { return Math.round(v * 1000.0) / 1000.0; }
}
