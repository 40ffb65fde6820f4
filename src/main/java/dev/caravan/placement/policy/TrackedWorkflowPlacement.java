package dev.caravan.placement.policy;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowState;
import java.util.List;

/**
 * A policy that knows nothing of workflows (prefix-aware, which the seed plan's {@code kvaware} and
 * {@code prefixaware} strategies name, round-robin, ...) used for workflow requests: it places, and
 * this records the workflow in the registry as {@link WorkflowAwarePlacement} does, so the status API,
 * the totals and the {@code vllm_workflow_*} series (removed when the workflow ends) work whatever
 * the strategy. The workflow has no home here; its status reports the engine of its latest request.
 */
public final class TrackedWorkflowPlacement implements PlacementPolicy {

    private final PlacementPolicy policy;
    private final WorkflowRegistry registry;

    public TrackedWorkflowPlacement(PlacementPolicy policy, WorkflowRegistry registry) {
        this.policy = policy;
        this.registry = registry;
    }

    /** The placing policy's name: metrics and the configuration name the same policy. */
    @Override
    public String name() { return policy.name(); }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        if (request.inWorkflow()) registry.touch(request.workflow());
        return policy.place(request, candidates);
    }

    @Override
    public void onRouted(PlacementRequest request, Engine engine) {
        policy.onRouted(request, engine);
        if (!request.inWorkflow()) return;
        WorkflowState st = registry.get(request.workflow().workflowId());
        if (st != null) st.recordRouted(request.requestId(), request.workflow().agentId(), engine.id());
    }
}
