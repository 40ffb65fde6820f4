package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seed plan's workloads run over many workflows: workflows arrive as a Poisson process, each
 * with its own shared context, and each subclass says what one workflow sends.
 */
abstract class ArrivingWorkflows implements Workload {

    protected final int workflows;
    protected final double perSecond;
    protected final int contextTokens;
    protected final int outputTokens;
    protected final long seed;

    ArrivingWorkflows(int workflows, double perSecond, int contextTokens, int outputTokens, long seed) {
        this.workflows = workflows;
        this.perSecond = perSecond;
        this.contextTokens = contextTokens;
        this.outputTokens = outputTokens;
        this.seed = seed;
    }

    /** Prefix of the workflow ids ({@code <prefix>-<seed>-<n>}). */
    abstract String idPrefix();

    /** Sends one workflow's calls; started at the workflow's arrival time. */
    abstract CompletableFuture<?> start(Driver d, String workflowId);

    /** The parameters every such workload reports, in order; subclasses add theirs. */
    Map<String, Object> commonParameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("workflows", workflows);
        p.put("arrival_rate_per_s", perSecond);
        return p;
    }

    @Override public boolean workflow() { return true; }

    @Override
    public CompletableFuture<Void> run(Driver d) {
        double[] at = Arrivals.poisson(workflows, perSecond, seed);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int w = 0; w < workflows; w++) {
            String wf = idPrefix() + "-" + seed + "-" + w;
            all.add(d.at(at[w], () -> start(d, wf)));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }
}
