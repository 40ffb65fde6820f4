package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seed plan's {@code benchmark_parallel_workflow}, over many workflows: each workflow starts
 * {@code agents} agents at once on its shared context. Reports {@code total_time} (wall time of a
 * workflow), {@code avg_latency} and {@code speedup} (sum of latencies over wall time), averaged
 * over workflows.
 */
final class ParallelAgentsWorkload extends AgentTeamWorkflows {

    ParallelAgentsWorkload(int workflows, double perSecond, int agents, int contextTokens, int outputTokens, long seed) {
        super(workflows, perSecond, agents, contextTokens, outputTokens, seed);
    }

    @Override public String name() { return "parallel"; }
    @Override String idPrefix() { return "par"; }

    @Override
    CompletableFuture<?> start(Driver d, String wf) {
        String context = SyntheticText.of(wf + "-context", contextTokens);
        List<CompletableFuture<CallResult>> calls = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            calls.add(d.call(new ChatCall(wf, "agent-" + i, List.of(new ChatCall.Message("system", context),
                    new ChatCall.Message("user", "Agent agent-" + i + " task")), outputTokens,
                    new ChatCall.Workflow(wf, "agent-" + i, null))));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    @Override
    public Map<String, Object> seedPlanFields(List<CallResult> results) {
        Map<String, List<CallResult>> byWf = SeedPlanFields.byWorkflow(results);
        double wall = 0, speedup = 0;
        for (List<CallResult> rs : byWf.values()) {
            double start = rs.stream().mapToDouble(CallResult::startMs).min().orElse(0);
            double end = rs.stream().mapToDouble(r -> r.startMs() + r.e2eMs()).max().orElse(0);
            double sum = rs.stream().mapToDouble(CallResult::e2eMs).sum();
            wall += (end - start) / 1000.0;
            speedup += end > start ? sum / (end - start) : 0;
        }
        int n = Math.max(1, byWf.size());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("type", "parallel");
        f.put("num_agents", agents);
        f.put("workflows", byWf.size());
        f.put("total_time", SeedPlanFields.round(wall / n));
        f.put("avg_latency", SeedPlanFields.round(SeedPlanFields.mean(results) / 1000.0));
        f.put("speedup", SeedPlanFields.round(speedup / n));
        return f;
    }
}
