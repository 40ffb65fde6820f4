package dev.caravan.bench.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options ({@code --name=value}). {@code --short} shrinks every workload so the whole
 * suite runs in under two minutes; the other options override single parameters.
 */
final class BenchOptions {

    final Map<String, String> values = new LinkedHashMap<>();
    final boolean shortMode;

    BenchOptions(String... args) {
        for (String a : args) {
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected --name=value, got " + a);
            int eq = a.indexOf('=');
            values.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        shortMode = Boolean.parseBoolean(values.getOrDefault("short", "false"));
    }

    String str(String name, String full, String shortValue) { return values.getOrDefault(name, shortMode ? shortValue : full); }
    int integer(String name, int full, int shortValue) { return Integer.parseInt(str(name, "" + full, "" + shortValue)); }
    double dbl(String name, double full, double shortValue) { return Double.parseDouble(str(name, "" + full, "" + shortValue)); }

    Path out() { return Path.of(str("out", "docs/bench", "target/bench-short")); }
    int engines() { return integer("engines", 8, 8); }
    long seed() { return Long.parseLong(str("seed", "7", "7")); }
    String target() { return values.get("target"); }

    /** Options of every simulated engine: the simulator's 8B-on-H100 latency profile, scaled. */
    Map<String, String> engineOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("time-scale", str("time-scale", "1", "1"));
        m.put("kv-cache-blocks", str("kv-cache-blocks", "1024", "1024"));
        m.put("seed", String.valueOf(seed()));
        return m;
    }

    List<PolicyUnderTest> policies() {
        String list = str("policies", "all", "round-robin,caravan");
        if (list.equals("all")) return PolicyUnderTest.all();
        List<PolicyUnderTest> out = new ArrayList<>();
        // Commas inside [...] belong to a variant's properties, not to the list.
        for (String s : list.split(",(?![^\\[]*\\])")) out.add(PolicyUnderTest.byLabel(s.trim()));
        return out;
    }

    List<Workload> workloads() throws IOException {
        List<String> names = Arrays.stream(str("workloads", "sequential,parallel,cache-efficiency,multi-round-qa,agentic,mooncake",
                "cache-efficiency,agentic").split(",")).map(String::trim).toList();
        long seed = seed();
        List<Workload> w = new ArrayList<>();
        int ctx = integer("context-tokens", 2000, 2000);
        if (names.contains("sequential")) {
            w.add(new SequentialAgentsWorkload(integer("seq-workflows", 32, 12), dbl("seq-rate", 3, 3), 5, ctx, 32, seed));
        }
        if (names.contains("parallel")) {
            w.add(new ParallelAgentsWorkload(integer("par-workflows", 32, 12), dbl("par-rate", 3, 3), 5, ctx, 32, seed));
        }
        if (names.contains("cache-efficiency")) {
            w.add(new CacheEfficiencyWorkload(integer("cache-workflows", 48, 16), dbl("cache-rate", 4, 4), ctx, 32, seed));
        }
        if (names.contains("multi-round-qa")) {
            w.add(new MultiRoundQaWorkload(integer("qa-users", 24, 10), integer("qa-rounds", 5, 3), dbl("qa-qps", 10, 8),
                    1000, integer("qa-history-tokens", 1000, 1000), 60, integer("qa-answer-tokens", 48, 32), seed));
        }
        if (names.contains("agentic")) {
            for (String rate : str("agentic-rates", "3,6,9", "6").split(",")) {
                double r = Double.parseDouble(rate.trim());
                int workflows = integer("agentic-workflows", 0, 0);
                if (workflows == 0) workflows = (int) Math.round(r * dbl("agentic-seconds", 10, 5));
                w.add(new AgenticWorkflowWorkload(workflows, r, ctx, integer("fan-out", 6, 6),
                        integer("rounds", 2, 1), integer("agentic-output-tokens", 32, 24), 200, seed));
            }
        }
        if (names.contains("closed-loop")) {
            // One workload per concurrency: --concurrency=12,4 gives closed-loop-c12 and closed-loop-c4.
            for (String c : str("concurrency", "12", "12").split(",")) {
                w.add(new ClosedLoopWorkflows(integer("closed-loop-workflows", 48, 48), Integer.parseInt(c.trim()),
                        integer("closed-loop-rounds", 2, 2), 4, integer("closed-loop-output-tokens", 64, 64),
                        integer("closed-loop-kv-cache-blocks", 1024, 1024), seed));
            }
        }
        if (names.contains("mooncake")) {
            Path trace = Path.of(str("mooncake", "../shared/workloads/mooncake/conversation_trace.jsonl",
                    "../shared/workloads/mooncake/conversation_trace.jsonl"));
            w.add(new MooncakeReplayWorkload(trace, integer("mooncake-requests", 1000, 60),
                    dbl("mooncake-time-scale", 0.25, 0.25), integer("mooncake-max-output", 64, 32),
                    integer("mooncake-max-input", 32768, 32768)));
        }
        return w;
    }

    /** Simulator profiles every (workload, policy) run is repeated under; {@code linear} is today's simulator. */
    List<SimulatorProfile> profiles() {
        List<SimulatorProfile> p = SimulatorProfile.parse(str("profiles", "linear", "linear"));
        if (p.isEmpty()) throw new IllegalArgumentException("--profiles names no profile");
        return p;
    }

    /** KV blocks per engine for one workload: the common value, unless the workload has its own option. */
    Map<String, String> engineOptionsFor(Workload w) {
        Map<String, String> m = new LinkedHashMap<>(engineOptions());
        if (w instanceof MooncakeReplayWorkload) m.put("kv-cache-blocks", str("mooncake-kv-cache-blocks", "8192", "8192"));
        m.putAll(w.engineOptions());
        return m;
    }
}
