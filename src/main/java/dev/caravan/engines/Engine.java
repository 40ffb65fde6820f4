package dev.caravan.engines;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One vLLM engine and what the gateway currently knows about it.
 *
 * <p>Fields written by the health monitor are volatile and read without locks on the request path;
 * in-flight is counted by the gateway itself, so it is exact even between scrapes.
 */
public final class Engine {

    private volatile String kvEventsEndpoint;
    private volatile String kvEventsReplayEndpoint;

    private final String id;
    private final URI url;
    private final Set<String> configuredModels;
    private final Map<String, String> labels;
    private final boolean prioritySchedulingEnabled;
    /** Configured KV-cache size in tokens ({@code caravan.engines[i].kv-cache-tokens}), 0 = read it from /metrics. */
    private final long configuredKvCacheTokens;

    private volatile Set<String> servedModels;
    private volatile boolean healthy;
    /** Set by the engine's circuit breaker (proxy.EngineCircuitBreakers) while it is open. */
    private volatile boolean circuitOpen;
    private volatile int running;
    private volatile int waiting;
    private volatile double kvCacheUsage;
    private volatile long reportedKvCacheTokens;
    private volatile long lastScrapeNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Resolved once per path: every proxied request would otherwise concatenate and parse its URI. */
    private final Map<String, URI> endpoints = new java.util.concurrent.ConcurrentHashMap<>();

    public Engine(String id, URI url, Set<String> configuredModels, Map<String, String> labels,
                  boolean prioritySchedulingEnabled) {
        this(id, url, configuredModels, labels, prioritySchedulingEnabled, 0);
    }

    /**
     * @param kvCacheTokens the engine's KV-cache size in tokens when configured, else 0 (then the
     *                      value vLLM reports on /metrics is used, once scraped)
     */
    public Engine(String id, URI url, Set<String> configuredModels, Map<String, String> labels,
                  boolean prioritySchedulingEnabled, long kvCacheTokens) {
        if (kvCacheTokens < 0) throw new IllegalArgumentException("kvCacheTokens must be >= 0");
        this.id = id;
        this.url = url;
        this.configuredModels = Set.copyOf(configuredModels);
        this.labels = Map.copyOf(labels);
        this.prioritySchedulingEnabled = prioritySchedulingEnabled;
        this.configuredKvCacheTokens = kvCacheTokens;
        this.servedModels = this.configuredModels;
    }

    public String id() { return id; }

    /** The engine's KV event PUB endpoint ({@code tcp://host:port}), or null when none is configured. */
    public String kvEventsEndpoint() { return kvEventsEndpoint; }
    /** Its replay ROUTER endpoint, or null. */
    public String kvEventsReplayEndpoint() { return kvEventsReplayEndpoint; }

    /** Set while the registry is built, before any stream starts. */
    public void kvEvents(String endpoint, String replayEndpoint) {
        this.kvEventsEndpoint = endpoint;
        this.kvEventsReplayEndpoint = replayEndpoint;
    }
    public URI url() { return url; }

    /** The engine's URI for an API path such as {@code /v1/chat/completions}. */
    public URI endpoint(String path) {
        return endpoints.computeIfAbsent(path, p -> URI.create(url + p));
    }
    public Map<String, String> labels() { return labels; }
    public boolean prioritySchedulingEnabled() { return prioritySchedulingEnabled; }
    public Set<String> servedModels() { return servedModels; }
    /** Whether placement may send it requests: it passes its health checks and its circuit breaker is not open. */
    public boolean isHealthy() { return healthy && !circuitOpen; }
    /** Whether it passes its health checks (/health, /metrics, /v1/models), whatever its circuit breaker says. */
    public boolean passesHealthChecks() { return healthy; }
    public boolean isCircuitOpen() { return circuitOpen; }
    public void circuitOpen(boolean open) { this.circuitOpen = open; }
    public int running() { return running; }
    public int waiting() { return waiting; }
    public double kvCacheUsage() { return kvCacheUsage; }
    public int inFlight() { return inFlight.get(); }

    /**
     * Tokens the engine's KV cache holds (GPU blocks x block size): the configured value, else what
     * the engine last reported ({@code vllm:cache_config_info}), else 0 for unknown.
     */
    public long kvCacheTokens() {
        return configuredKvCacheTokens > 0 ? configuredKvCacheTokens : reportedKvCacheTokens;
    }
    public long lastScrapeNanos() { return lastScrapeNanos; }

    /** Load as the gateway sees it: its own in-flight requests plus the engine's reported queue. */
    public int load() { return inFlight.get() + waiting; }

    /** An engine with no configured and no discovered model list serves whatever it is asked for. */
    public boolean serves(String model) {
        Set<String> models = servedModels;
        return models.isEmpty() || model == null || models.contains(model);
    }

    public void markHealthy(boolean healthy) { this.healthy = healthy; }

    /** Whether the model list comes from configuration ({@code caravan.engines[i].models}), not from the engine. */
    public boolean modelsConfigured() { return !configuredModels.isEmpty(); }

    public void discoveredModels(Set<String> models) {
        this.servedModels = configuredModels.isEmpty() ? Set.copyOf(models) : configuredModels;
    }

    public void reportedLoad(int running, int waiting, double kvCacheUsage) {
        this.running = running;
        this.waiting = waiting;
        this.kvCacheUsage = kvCacheUsage;
        this.lastScrapeNanos = System.nanoTime();
    }

    /** The KV-cache size the engine reported on /metrics, 0 when it did not (a restart may change it). */
    public void reportedKvCacheTokens(long tokens) {
        this.reportedKvCacheTokens = Math.max(0, tokens);
    }

    public void requestStarted() { inFlight.incrementAndGet(); }
    public void requestFinished() { inFlight.decrementAndGet(); }

    @Override
    public String toString() { return id + "(" + url + ")"; }
}
