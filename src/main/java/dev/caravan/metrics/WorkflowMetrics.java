package dev.caravan.metrics;

import dev.caravan.core.PlacementReason;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.workflows.WorkflowRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed plan's per-workflow metrics under its names ({@code vllm_workflow_requests_total},
 * {@code vllm_workflow_cache_hits_total}, {@code vllm_workflow_latency_seconds},
 * {@code vllm_active_workflows}, {@code vllm_workflow_batch_efficiency}). Their label sets are
 * bounded because the registry is ({@code max-workflows}), and a workflow's series are removed
 * when it ends, expires or is evicted.
 *
 * <p>Batch efficiency: the share of workflow requests that ran where the workflow's context is
 * (affinity, lineage or prefix placement) rather than elsewhere (spill, failover, queue, hash).
 */
public class WorkflowMetrics implements MeterBinder, RequestOutcomeListener {

    private final WorkflowRegistry workflows;
    private final LongAdder colocated = new LongAdder();
    private final LongAdder workflowRequests = new LongAdder();
    private MeterRegistry registry;

    public WorkflowMetrics(WorkflowRegistry workflows) {
        this.workflows = workflows;
        workflows.addEndListener(this::forget);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("vllm.active.workflows", workflows, WorkflowRegistry::size)
                .description("Number of active workflows").register(registry);
        Gauge.builder("vllm.workflow.batch.efficiency", this, WorkflowMetrics::batchEfficiency)
                .description("Share of workflow requests placed where the workflow's context is").register(registry);
    }

    double batchEfficiency() {
        long n = workflowRequests.sum();
        return n == 0 ? 0 : (double) colocated.sum() / n;
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        WorkflowMetadata wf = o.request().workflow();
        if (registry == null || wf == null || wf.workflowId() == null) { // metadata without an id: a plain request
            return;
        }
        String agent = wf.agentId() == null ? "" : wf.agentId();
        workflowRequests.increment();
        PlacementReason r = o.decision().reason();
        if (r == PlacementReason.AFFINITY || r == PlacementReason.LINEAGE || r == PlacementReason.PREFIX) {
            colocated.increment();
        }
        Counter.builder("vllm.workflow.requests").tags("workflow_id", wf.workflowId(), "agent_id", agent)
                .description("Total workflow requests").register(registry).increment();
        if (o.cachedTokens() > 0) {
            Counter.builder("vllm.workflow.cache.hits").tag("workflow_id", wf.workflowId())
                    .description("Workflow cache hits").register(registry).increment();
        }
        Timer.builder("vllm.workflow.latency").tags("workflow_id", wf.workflowId(), "agent_id", agent)
                .description("Workflow request latency").register(registry)
                .record(o.durationNanos(), TimeUnit.NANOSECONDS);
    }

    private void forget(String workflowId) {
        if (registry == null) {
            return;
        }
        for (Meter m : registry.getMeters()) {
            if (workflowId.equals(m.getId().getTag("workflow_id"))) {
                registry.remove(m);
            }
        }
    }
}
