package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seed plan's {@code benchmark_cache_efficiency}, over many workflows: a cold request with the
 * workflow's context ({@code "Analyze this."}), then a warm one from another agent with the same
 * context ({@code "Summarize this."}) naming the first as parent. Each workflow has its own context,
 * so the cold request is really cold. Reports {@code cold_latency}, {@code warm_latency},
 * {@code cache_speedup} and {@code saved_ms} (end-to-end, as the seed plan times them; TTFT is in
 * the common columns).
 */
final class CacheEfficiencyWorkload extends ArrivingWorkflows {

    CacheEfficiencyWorkload(int workflows, double perSecond, int contextTokens, int outputTokens, long seed) {
        super(workflows, perSecond, contextTokens, outputTokens, seed);
    }

    @Override public String name() { return "cache-efficiency"; }
    @Override String idPrefix() { return "cache"; }
    @Override public int expectedCalls() { return workflows * 2; }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = commonParameters();
        p.put("context_size", contextTokens);
        p.put("output_tokens", outputTokens);
        return p;
    }

    @Override
    CompletableFuture<?> start(Driver d, String wf) {
        String context = SyntheticText.of(wf + "-data", contextTokens);
        return d.call(call(wf, "cold", "agent-1", null, context + "\nAnalyze this."))
                .thenCompose(cold -> d.call(call(wf, "warm", "agent-2", cold.responseId(), context + "\nSummarize this.")));
    }

    private ChatCall call(String wf, String phase, String agent, String parent, String prompt) {
        return new ChatCall(wf, phase, List.of(new ChatCall.Message("user", prompt)), outputTokens,
                new ChatCall.Workflow(wf, agent, parent));
    }

    @Override
    public Map<String, Object> seedPlanFields(List<CallResult> results) {
        double cold = SeedPlanFields.mean(results.stream().filter(r -> r.phase().equals("cold")).toList());
        double warm = SeedPlanFields.mean(results.stream().filter(r -> r.phase().equals("warm")).toList());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("context_size", contextTokens);
        f.put("workflows", SeedPlanFields.byWorkflow(results).size());
        f.put("cold_latency", SeedPlanFields.round(cold / 1000.0));
        f.put("warm_latency", SeedPlanFields.round(warm / 1000.0));
        f.put("cache_speedup", SeedPlanFields.round(warm > 0 ? cold / warm : 0));
        f.put("saved_ms", SeedPlanFields.round(cold - warm));
        return f;
    }
}
