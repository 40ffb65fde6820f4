package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seed plan's {@code benchmark_sequential_workflow}, over many workflows: each workflow runs
 * {@code agents} agents one after the other on a shared context, each agent seeing the previous
 * agents' outputs and naming the previous response as its parent. Reports the seed plan's
 * {@code total_time}, {@code avg_latency} and {@code p95_latency} (seconds, end-to-end per agent).
 */
final class SequentialAgentsWorkload extends AgentTeamWorkflows {

    SequentialAgentsWorkload(int workflows, double perSecond, int agents, int contextTokens, int outputTokens, long seed) {
        super(workflows, perSecond, agents, contextTokens, outputTokens, seed);
    }

    @Override public String name() { return "sequential"; }
    @Override String idPrefix() { return "seq"; }

    @Override
    CompletableFuture<?> start(Driver d, String wf) {
        return agent(d, wf, SyntheticText.of(wf + "-context", contextTokens), "", null, 0);
    }

    private CompletableFuture<Void> agent(Driver d, String wf, String context, String previous, String parent, int i) {
        if (i == agents) return CompletableFuture.completedFuture(null);
        ChatCall c = new ChatCall(wf, "agent-" + i, List.of(new ChatCall.Message("system", context),
                new ChatCall.Message("user", previous + " Agent " + i + " task")), outputTokens,
                new ChatCall.Workflow(wf, "agent-" + i, parent));
        return d.call(c).thenCompose(r -> agent(d, wf, context,
                previous + SyntheticText.of(wf + "-out-" + i, outputTokens), r.responseId(), i + 1));
    }

    @Override
    public Map<String, Object> seedPlanFields(List<CallResult> results) {
        Map<String, List<CallResult>> byWf = SeedPlanFields.byWorkflow(results);
        double totalTime = 0;
        for (List<CallResult> rs : byWf.values()) totalTime += rs.stream().mapToDouble(CallResult::e2eMs).sum() / 1000.0;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("type", "sequential");
        f.put("num_agents", agents);
        f.put("workflows", byWf.size());
        f.put("total_time", SeedPlanFields.round(totalTime / Math.max(1, byWf.size())));
        f.put("avg_latency", SeedPlanFields.round(SeedPlanFields.mean(results) / 1000.0));
        f.put("p95_latency", SeedPlanFields.round(SeedPlanFields.percentile(results, 95) / 1000.0));
        return f;
    }
}
