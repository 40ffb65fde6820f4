package dev.caravan.metrics;

import dev.caravan.core.EngineErrorKind;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.workflows.WorkflowRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What operators see on /actuator/prometheus about routing: per engine (health, load as scraped,
 * gateway in-flight), per placement reason, token and cache counters, time to first token, the
 * admission queue and the workflow registry. Meter handles are cached per key, so recording an
 * outcome allocates nothing once a key has been seen.
 */
public class GatewayMetrics implements MeterBinder, RequestOutcomeListener {

    private final EngineRegistry engines;
    private final WorkflowRegistry workflows;
    private final AdmissionQueue admission;
    private final Map<String, EngineMeters> perEngine = new ConcurrentHashMap<>();
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> engineErrors = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private final PerEngineMeters perEngineGauges;

    public GatewayMetrics(EngineRegistry engines, WorkflowRegistry workflows, AdmissionQueue admission) {
        this.engines = engines;
        this.workflows = workflows;
        this.admission = admission;
        this.perEngineGauges = new PerEngineMeters(engines, this::engineGauges);
    }

    private record EngineMeters(Counter prompt, Counter cached, Counter completion, Timer ttft, Timer duration,
                                Counter midStreamFailures) {}

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        perEngineGauges.bindTo(registry);
        Gauge.builder("caravan.admission.queue.size", admission, AdmissionQueue::size)
                .description("Requests waiting for engine capacity").register(registry);
        FunctionCounter.builder("caravan.admission.rejected", admission, AdmissionQueue::rejectedFull)
                .tag("cause", "queue_full").description("Requests refused with 429").register(registry);
        FunctionCounter.builder("caravan.admission.rejected", admission, AdmissionQueue::rejectedTimeout)
                .tag("cause", "queue_timeout").description("Requests refused with 429").register(registry);
        FunctionCounter.builder("caravan.admission.abandoned", admission, AdmissionQueue::leftWhileQueued)
                .description("Requests whose client closed the connection while they waited for engine capacity")
                .register(registry);
        Gauge.builder("caravan.workflows.active", workflows, WorkflowRegistry::size)
                .description("Live workflows in the registry").register(registry);
        FunctionCounter.builder("caravan.workflows.evicted", workflows, WorkflowRegistry::evictions)
                .description("Workflows evicted because maxWorkflows was reached").register(registry);
        FunctionCounter.builder("caravan.workflows.expired", workflows, WorkflowRegistry::expirations)
                .description("Workflows removed after their TTL of inactivity").register(registry);
    }

    /** One engine's gauges, and its error counters at 0 so rate() and alerts see them. */
    private List<Meter> engineGauges(MeterRegistry registry, Engine e) {
        Tags t = Tags.of("engine", e.id());
        for (EngineErrorKind kind : EngineErrorKind.values()) {
            engineError(e.id(), kind);
        }
        return List.of(
                Gauge.builder("caravan.engine.healthy", e, x -> x.isHealthy() ? 1 : 0).tags(t)
                        .description("1 when the engine passes its health check").register(registry),
                Gauge.builder("caravan.engine.in.flight", e, Engine::inFlight).tags(t)
                        .description("Requests the gateway has open on the engine").register(registry),
                Gauge.builder("caravan.engine.running", e, Engine::running).tags(t)
                        .description("vllm:num_requests_running as last scraped").register(registry),
                Gauge.builder("caravan.engine.waiting", e, Engine::waiting).tags(t)
                        .description("vllm:num_requests_waiting as last scraped").register(registry),
                Gauge.builder("caravan.engine.kv.cache.usage", e, Engine::kvCacheUsage).tags(t)
                        .description("vllm:kv_cache_usage_perc as last scraped (0-1)").register(registry),
                Gauge.builder("caravan.engine.kv.cache.tokens", e, Engine::kvCacheTokens).tags(t)
                        .description("KV-cache size in tokens, configured or from vllm:cache_config_info (0 = unknown)")
                        .register(registry));
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        if (registry == null) {
            return;
        }
        String engine = o.engine().id();
        PlacementReason reason = o.decision().reason();
        String status = o.failedMidStream() ? "stream_error" : Integer.toString(o.status());
        requests.computeIfAbsent(engine + '|' + reason + '|' + status, k -> Counter.builder("caravan.requests")
                .tags("engine", engine, "reason", reason.label(), "status", status)
                .description("Proxied requests by engine, placement reason and engine status")
                .register(registry)).increment();
        EngineMeters m = perEngine.computeIfAbsent(engine, this::engineMeters);
        if (o.promptTokens() >= 0) {
            m.prompt.increment(o.promptTokens());
        }
        if (o.cachedTokens() >= 0) {
            m.cached.increment(o.cachedTokens());
        }
        if (o.completionTokens() >= 0) {
            m.completion.increment(o.completionTokens());
        }
        if (o.ttftNanos() >= 0) {
            m.ttft.record(o.ttftNanos(), TimeUnit.NANOSECONDS);
        }
        m.duration.record(o.durationNanos(), TimeUnit.NANOSECONDS);
        if (o.failedMidStream()) {
            m.midStreamFailures.increment();
            engineError(engine, EngineErrorKind.MID_STREAM).increment();
        }
    }

    @Override
    public void onEngineError(Engine engine, EngineErrorKind kind) {
        if (registry != null) {
            engineError(engine.id(), kind).increment();
        }
    }

    private Counter engineError(String engine, EngineErrorKind kind) {
        return engineErrors.computeIfAbsent(engine + '|' + kind.label(), k -> Counter.builder("caravan.engine.errors")
                .tags("engine", engine, "kind", kind.label())
                .description("Calls an engine failed: connect (refused), timeout, connection (lost), http_5xx, mid_stream")
                .register(registry));
    }

    private EngineMeters engineMeters(String engine) {
        return new EngineMeters(
                Counter.builder("caravan.prompt.tokens").tag("engine", engine)
                        .description("Prompt tokens as engines reported them").register(registry),
                Counter.builder("caravan.cached.tokens").tag("engine", engine)
                        .description("Prompt tokens served from the engines' prefix cache").register(registry),
                Counter.builder("caravan.completion.tokens").tag("engine", engine).register(registry),
                Timer.builder("caravan.time.to.first.token").tag("engine", engine)
                        .description("Time from sending a streamed request to its first byte")
                        .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(registry),
                Timer.builder("caravan.request.duration").tag("engine", engine)
                        .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry),
                Counter.builder("caravan.stream.failures").tag("engine", engine)
                        .description("Streams an engine broke off after the first byte").register(registry));
    }
}
