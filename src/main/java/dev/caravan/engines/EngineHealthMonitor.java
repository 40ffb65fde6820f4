package dev.caravan.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Reads every engine's /health and /metrics on an interval, asynchronously, and takes an engine
 * out after consecutive failures (it comes back at its first healthy answer). Its /v1/models is read
 * when it comes in and again every {@code models-refresh-interval} (runtime LoRA adapters, an engine
 * restarted with another model).
 * The forwarder also reports connect failures here, so a dead engine leaves at once rather than
 * at the next scrape.
 */
public class EngineHealthMonitor implements SmartLifecycle, EngineRegistry.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(EngineHealthMonitor.class);

    private final EngineRegistry registry;
    private final HttpClient http;
    private final EngineProperties.Client config;
    private final ObjectMapper mapper;
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    /** When each engine's /v1/models was last read (System.nanoTime). */
    private final Map<String, Long> modelsReadAt = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    public EngineHealthMonitor(EngineRegistry registry, HttpClient http, EngineProperties.Client config,
                               ObjectMapper mapper) {
        this.registry = registry;
        this.http = http;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-engine-monitor");
            t.setDaemon(true);
            return t;
        });
        running = true;
        // A first synchronous round, so the gateway is ready as soon as it reports started.
        checkAll().join();
        long ms = config.getScrapeInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> checkAll().join(), ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() { return running; }

    @Override
    public int getPhase() {
        // after the simulated engines start, before the web server takes traffic
        return Integer.MAX_VALUE - 1000;
    }

    /**
     * An engine that joins at run time (discovery) is checked at once rather than at the next round,
     * from a clean slate: a pod that comes back under the same name is a new process.
     */
    @Override
    public void added(Engine engine) {
        failures.remove(engine.id());
        modelsReadAt.remove(engine.id());
        if (running) {
            check(engine);
        }
    }

    @Override
    public void removed(Engine engine) {
        failures.remove(engine.id());
        modelsReadAt.remove(engine.id());
    }

    public CompletableFuture<Void> checkAll() {
        CompletableFuture<?>[] all = registry.all().stream().map(this::check).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).exceptionally(t -> null);
    }

    /**
     * Called by the forwarder when a request could not reach an engine. A refused connection means
     * nothing listens there: out at once. A timeout or reset may be load: the request fails over,
     * and the health checks decide.
     */
    public void reportConnectFailure(Engine engine, Throwable cause) {
        if (!(cause instanceof java.net.ConnectException)) {
            return;
        }
        if (engine.passesHealthChecks()) {
            LOG.warn("Engine {} taken out after a failed request: {}", engine, cause.toString());
        }
        engine.markHealthy(false);
        failures.computeIfAbsent(engine.id(), k -> new AtomicInteger()).set(config.getUnhealthyThreshold());
    }

    private CompletableFuture<Void> check(Engine engine) {
        return get(engine, "/health")
                .thenCompose(health -> {
                    if (health.statusCode() != 200) {
                        throw new IllegalStateException("health answered " + health.statusCode());
                    }
                    return get(engine, "/metrics");
                })
                .thenCompose(metrics -> {
                    if (metrics.statusCode() == 200) {
                        VllmMetrics.Snapshot s = VllmMetrics.parse(metrics.body());
                        engine.reportedLoad(s.running(), s.waiting(), s.kvCacheUsage());
                        engine.reportedKvCacheTokens(s.kvCacheTokens());
                    }
                    boolean known = engine.passesHealthChecks() && !engine.servedModels().isEmpty();
                    if (engine.modelsConfigured() || (known && !modelsRefreshDue(engine))) {
                        return CompletableFuture.completedFuture((HttpResponse<String>) null);
                    }
                    return get(engine, "/v1/models");
                })
                .thenAccept(models -> {
                    if (models != null) {
                        Set<String> ids = models.statusCode() == 200 ? modelIds(models.body()) : Set.of();
                        boolean known = engine.passesHealthChecks() && !engine.servedModels().isEmpty();
                        if (ids.isEmpty() && !known) {
                            // An engine with no known model list is sent every model's requests: until it
                            // lists its models (vLLM lists them once loaded), it is not ready.
                            throw new IllegalStateException("/v1/models answered " + models.statusCode() + " with no model");
                        }
                        if (!ids.isEmpty()) {
                            // A refresh that fails keeps the list: /health and /metrics decide health.
                            modelsReadAt.put(engine.id(), System.nanoTime());
                            if (known && !ids.equals(engine.servedModels())) {
                                LOG.info("Engine {} now serves {} (was {})", engine, ids, engine.servedModels());
                            }
                            engine.discoveredModels(ids);
                        }
                    }
                    failures.computeIfAbsent(engine.id(), k -> new AtomicInteger()).set(0);
                    if (!engine.passesHealthChecks()) {
                        LOG.info("Engine {} is healthy, models {}", engine, engine.servedModels());
                        engine.markHealthy(true);
                    }
                })
                .exceptionally(t -> {
                    int n = failures.computeIfAbsent(engine.id(), k -> new AtomicInteger()).incrementAndGet();
                    if (n >= config.getUnhealthyThreshold() && engine.passesHealthChecks()) {
                        LOG.warn("Engine {} taken out: {}", engine, rootMessage(t));
                        engine.markHealthy(false);
                    }
                    return null;
                });
    }

    private boolean modelsRefreshDue(Engine engine) {
        Long at = modelsReadAt.get(engine.id());
        return at == null || System.nanoTime() - at >= config.getModelsRefreshInterval().toNanos();
    }

    private CompletableFuture<HttpResponse<String>> get(Engine engine, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(engine.endpoint(path))
                .timeout(config.getScrapeTimeout()).GET();
        String key = registry.apiKey(engine);
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Set<String> modelIds(String body) {
        Set<String> ids = new HashSet<>();
        try {
            for (JsonNode m : mapper.readTree(body).path("data")) {
                if (m.hasNonNull("id")) {
                    ids.add(m.get("id").asText());
                }
            }
        } catch (Exception e) {
            LOG.debug("Unreadable /v1/models answer: {}", e.toString());
        }
        return ids;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.toString();
    }
}
