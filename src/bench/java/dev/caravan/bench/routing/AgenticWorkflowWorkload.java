package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Agentic workflows: per round a planner, then {@code fanOut} parallel workers, then an aggregator.
 * Every call of a workflow starts with the same system prompt (shared by all workflows) and the
 * workflow's own context; workers add the plan and their instruction, the aggregator the workers'
 * findings; each round's summary joins the history of the next. Children name their parent's response
 * {@code id} as {@code parent_request_id}. Workflows arrive as a Poisson process.
 *
 * <p>Agent outputs in later prompts are deterministic stand-ins of the same length as the generated
 * ones (the simulator's words carry no meaning, and stand-ins keep the prompts identical under every
 * policy, which the side-by-side comparison needs).
 */
final class AgenticWorkflowWorkload implements Workload {

    private final int workflows;
    private final double perSecond;
    private final int contextTokens;
    private final int fanOut;
    private final int rounds;
    private final int outputTokens;
    private final int systemTokens;
    private final long seed;

    AgenticWorkflowWorkload(int workflows, double perSecond, int contextTokens, int fanOut, int rounds,
                            int outputTokens, int systemTokens, long seed) {
        this.workflows = workflows;
        this.perSecond = perSecond;
        this.contextTokens = contextTokens;
        this.fanOut = fanOut;
        this.rounds = rounds;
        this.outputTokens = outputTokens;
        this.systemTokens = systemTokens;
        this.seed = seed;
    }

    @Override public String name() { return "agentic@" + fmt(perSecond); }
    @Override public boolean workflow() { return true; }
    @Override public int expectedCalls() { return workflows * rounds * (fanOut + 2); }
    double perSecond() { return perSecond; }

    static String fmt(double d) { return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d); }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("workflows", workflows);
        p.put("arrival_rate_per_s", perSecond);
        p.put("context_tokens", contextTokens);
        p.put("fan_out", fanOut);
        p.put("rounds", rounds);
        p.put("output_tokens", outputTokens);
        p.put("system_prompt_tokens", systemTokens);
        return p;
    }

    @Override
    public CompletableFuture<Void> run(Driver d) {
        double[] at = Arrivals.poisson(workflows, perSecond, seed);
        String system = SyntheticText.of("agentic-system", systemTokens);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int w = 0; w < workflows; w++) {
            String wf = "agentic-" + seed + "-" + w;
            all.add(d.at(at[w], () -> round(d, wf, system + SyntheticText.of(wf + "-context", contextTokens), "", 0)));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> round(Driver d, String wf, String context, String history, int r) {
        if (r == rounds) return CompletableFuture.completedFuture(null);
        String task = SyntheticText.of(wf + "-task", 40) + history;
        String plan = SyntheticText.of(wf + "-plan-" + r, outputTokens);
        return d.call(call(wf, "planner", "planner", null, context, task + " plan the next step"))
                .thenCompose(planner -> {
                    List<CompletableFuture<CallResult>> workers = new ArrayList<>();
                    for (int i = 0; i < fanOut; i++) {
                        workers.add(d.call(call(wf, "worker", "worker-" + i, planner.responseId(), context,
                                task + plan + SyntheticText.of("worker-instruction-" + i, 30))));
                    }
                    return CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).thenApply(v -> workers);
                })
                .thenCompose(workers -> {
                    StringBuilder findings = new StringBuilder(task).append(plan);
                    for (int i = 0; i < fanOut; i++) findings.append(SyntheticText.of(wf + "-finding-" + r + "-" + i, outputTokens));
                    return d.call(call(wf, "aggregator", "aggregator", workers.get(0).join().responseId(), context,
                            findings + " combine the findings"));
                })
                .thenCompose(agg -> round(d, wf, context,
                        history + SyntheticText.of(wf + "-summary-" + r, outputTokens), r + 1));
    }

    private ChatCall call(String wf, String phase, String agent, String parent, String context, String user) {
        return new ChatCall(wf, phase, List.of(new ChatCall.Message("system", context), new ChatCall.Message("user", user)),
                outputTokens, new ChatCall.Workflow(wf, agent, parent));
    }
}
