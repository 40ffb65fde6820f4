package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The acceptance table of the closed-loop workload: per (simulator profile, concurrency) every
 * policy's TTFT p50 / p95 / p99, hit rate and wall time, and the checks of {@code caravan} against
 * the reference, {@code round-robin-direct} where it was run, else the gateway's {@code round-robin}:
 * p50 at least 2x lower, p95 and p99 no higher, hit rate at least 0.85, wall time lower, and the best
 * p99 of all policies run. Measures only; nothing is tuned from it.
 */
final class Acceptance {

    static final double MIN_HIT_RATE = 0.85;

    private Acceptance() {}

    /** The markdown report, or "" when no closed-loop run is among the rows. */
    static String report(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            String w = (String) r.get("workload");
            if (w == null || !w.startsWith("closed-loop")) continue;
            groups.computeIfAbsent(r.get("profile") + "\u0000" + w, k -> new ArrayList<>()).add(r);
        }
        if (groups.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("# Closed-loop acceptance\n");
        Map<String, Boolean> bestP99ByProfile = new LinkedHashMap<>();
        int cases = 0, best = 0;
        for (List<Map<String, Object>> g : groups.values()) {
            String profile = String.valueOf(g.get(0).get("profile"));
            sb.append("\n## ").append(g.get(0).get("workload")).append(", profile ").append(profile).append("\n\n");
            sb.append("| policy | ttft_p50_ms | ttft_p95_ms | ttft_p99_ms | hit_rate | wall_s | throughput_rps | errors |\n");
            sb.append("|---|---|---|---|---|---|---|---|\n");
            for (Map<String, Object> r : g) {
                sb.append("| ").append(r.get("policy"));
                for (String c : List.of("ttft_p50_ms", "ttft_p95_ms", "ttft_p99_ms", "hit_rate", "wall_s", "throughput_rps", "errors")) {
                    sb.append(" | ").append(r.get(c));
                }
                sb.append(" |\n");
            }
            Map<String, Object> caravan = byPolicy(g, PolicyUnderTest.CARAVAN);
            Map<String, Object> ref = byPolicy(g, PolicyUnderTest.ROUND_ROBIN_DIRECT);
            if (ref == null) ref = byPolicy(g, PolicyUnderTest.ROUND_ROBIN);
            if (caravan == null || ref == null) {
                sb.append("\nChecks not computed: they need caravan and round-robin-direct (or round-robin) in --policies.\n");
                continue;
            }
            String rp = (String) ref.get("policy");
            boolean bestP99 = g.stream().allMatch(r -> r == caravan || num(caravan, "ttft_p99_ms") <= num(r, "ttft_p99_ms"));
            sb.append("\nCaravan against ").append(rp).append(":\n\n");
            check(sb, "TTFT p50 at least 2x lower", num(caravan, "ttft_p50_ms") * 2 <= num(ref, "ttft_p50_ms"),
                    num(caravan, "ttft_p50_ms") + " vs " + num(ref, "ttft_p50_ms") + " ms ("
                            + ratio(num(ref, "ttft_p50_ms"), num(caravan, "ttft_p50_ms")) + "x)");
            check(sb, "TTFT p95 no higher", num(caravan, "ttft_p95_ms") <= num(ref, "ttft_p95_ms"),
                    num(caravan, "ttft_p95_ms") + " vs " + num(ref, "ttft_p95_ms") + " ms");
            check(sb, "TTFT p99 no higher", num(caravan, "ttft_p99_ms") <= num(ref, "ttft_p99_ms"),
                    num(caravan, "ttft_p99_ms") + " vs " + num(ref, "ttft_p99_ms") + " ms");
            check(sb, "hit rate >= " + MIN_HIT_RATE, num(caravan, "hit_rate") >= MIN_HIT_RATE, String.valueOf(num(caravan, "hit_rate")));
            check(sb, "wall time lower", num(caravan, "wall_s") < num(ref, "wall_s"),
                    num(caravan, "wall_s") + " vs " + num(ref, "wall_s") + " s");
            check(sb, "best TTFT p99 of the " + g.size() + " policies run", bestP99, String.valueOf(num(caravan, "ttft_p99_ms")) + " ms");
            cases++;
            if (bestP99) best++;
            bestP99ByProfile.merge(profile, bestP99, Boolean::logicalAnd);
        }
        long profiles = bestP99ByProfile.values().stream().filter(b -> b).count();
        sb.append("\nCaravan had the best TTFT p99 on ").append(profiles).append(" of ").append(bestP99ByProfile.size())
                .append(" profiles (at every concurrency run) and in ").append(best).append(" of ").append(cases)
                .append(" (profile, concurrency) cases.\n");
        return sb.toString();
    }

    private static void check(StringBuilder sb, String what, boolean ok, String detail) {
        sb.append("- [").append(ok ? "x" : " ").append("] ").append(what).append(": ").append(detail)
                .append(ok ? "" : " (not met)").append('\n');
    }

    private static Map<String, Object> byPolicy(List<Map<String, Object>> g, String policy) {
        return g.stream().filter(r -> policy.equals(r.get("policy"))).findFirst().orElse(null);
    }

    private static double num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String ratio(double a, double b) { return b > 0 ? String.valueOf(RunSummary.r1(a / b)) : "n/a"; }
}
