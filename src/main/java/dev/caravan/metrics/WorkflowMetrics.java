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
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed plan's workflow metrics under its names and types: {@code vllm_workflow_requests_total}
 * (counter), {@code vllm_workflow_cache_hits_total} (counter, there at 0 from the start),
 * {@code vllm_workflow_latency_seconds} (histogram), {@code vllm_active_workflows} and
 * {@code vllm_workflow_batch_efficiency} (gauges); {@code vllm_workflow_message_queue_size} is
 * {@link MessageQueueMetrics}.
 *
 * <p>Labels: {@code agent_id} (capped, {@link BoundedLabelValues}); {@code workflow_id} only with
 * {@code caravan.metrics.per-workflow}, whose series are removed when the workflow ends, expires or
 * is evicted. So by default the number of series does not grow with the number of workflows.
 *
 * <p>Batch efficiency: the share of workflow requests that ran where the workflow's context is
 * (affinity, lineage or prefix placement) rather than elsewhere (spill, failover, queue, hash).
 */
public class WorkflowMetrics implements MeterBinder, RequestOutcomeListener {

    /**
     * Bucket bounds that resolve both a time to first token (tens of milliseconds on a warm prefix)
     * and a whole generation (minutes).
     */
    static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final WorkflowRegistry workflows;
    private final boolean perWorkflow;
    private final BoundedLabelValues agents;
    private final LongAdder colocated = new LongAdder();
    private final LongAdder workflowRequests = new LongAdder();
    /** Meters per (workflow, agent) or per agent: looked up, not re-registered, on every outcome. */
    private final Map<String, AgentMeters> meters = new ConcurrentHashMap<>();
    private final Map<String, Counter> cacheHits = new ConcurrentHashMap<>();
    private Counter allCacheHits;
    private MeterRegistry registry;

    private record AgentMeters(Counter requests, Timer latency) {}

    public WorkflowMetrics(WorkflowRegistry workflows, MetricsProperties properties) {
        this.workflows = workflows;
        this.perWorkflow = properties.isPerWorkflow();
        this.agents = new BoundedLabelValues(properties.getMaxAgentIds());
        if (perWorkflow) {
            workflows.addEndListener(this::forget);
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("vllm.active.workflows", workflows, WorkflowRegistry::size)
                .description("Number of active workflows").register(registry);
        Gauge.builder("vllm.workflow.batch.efficiency", this, WorkflowMetrics::batchEfficiency)
                .description("Share of workflow requests placed where the workflow's context is").register(registry);
        if (!perWorkflow) { // one series: there at 0 before the first hit, so rate() and alerts see it
            allCacheHits = cacheHitCounter(Tags.empty());
        }
    }

    double batchEfficiency() {
        long n = workflowRequests.sum();
        return n == 0 ? 0 : (double) colocated.sum() / n;
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        WorkflowMetadata wf = o.request().workflow();
        if (registry == null || wf == null || wf.workflowId() == null) {
            return;
        }
        workflowRequests.increment();
        PlacementReason r = o.decision().reason();
        if (r == PlacementReason.AFFINITY || r == PlacementReason.LINEAGE || r == PlacementReason.PREFIX) {
            colocated.increment();
        }
        String agent = agents.of(wf.agentId() == null ? "" : wf.agentId());
        String workflow = wf.workflowId();
        AgentMeters m = meters.computeIfAbsent(perWorkflow ? workflow + '\n' + agent : agent,
                k -> agentMeters(perWorkflow ? Tags.of("workflow_id", workflow, "agent_id", agent)
                        : Tags.of("agent_id", agent)));
        m.requests.increment();
        m.latency.record(o.durationNanos(), TimeUnit.NANOSECONDS);
        if (o.cachedTokens() > 0) {
            (perWorkflow ? cacheHits.computeIfAbsent(workflow, w -> cacheHitCounter(Tags.of("workflow_id", w)))
                    : allCacheHits).increment();
        }
    }

    private AgentMeters agentMeters(Tags tags) {
        return new AgentMeters(
                Counter.builder("vllm.workflow.requests").tags(tags).description("Total workflow requests")
                        .register(registry),
                Timer.builder("vllm.workflow.latency").tags(tags).description("Workflow request latency")
                        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }

    private Counter cacheHitCounter(Tags tags) {
        return Counter.builder("vllm.workflow.cache.hits").tags(tags)
                .description("Workflow requests served partly from the engine's prefix cache").register(registry);
    }

    private void forget(String workflowId) {
        if (registry == null) {
            return;
        }
        meters.keySet().removeIf(k -> k.startsWith(workflowId + '\n'));
        cacheHits.remove(workflowId);
        for (Meter m : registry.getMeters()) {
            if (workflowId.equals(m.getId().getTag("workflow_id"))) {
                registry.remove(m);
            }
        }
    }
}
