package dev.caravan.simulator;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated vLLM engine serving vLLM's HTTP API on a loopback port. Start several for a
 * cluster; each has its own cache, queue, faults and statistics, and nothing is shared between them.
 */
public final class SimulatedEngine implements AutoCloseable {

    private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final SimulatorConfig config;
    private final HttpServer server;
    private final ExecutorService io;
    private final EngineScheduler scheduler;
    private final SimulatorFaults faults;
    private final SimulatorStats stats;
    private final SimulatedTokenizer tokenizer;
    private final PrefixCache cache;
    private final URI baseUrl;
    private final KvEventPublisher kvEvents;

    private SimulatedEngine(SimulatorConfig config, HttpServer server, ExecutorService io, EngineScheduler scheduler,
                            SimulatorFaults faults, SimulatorStats stats, SimulatedTokenizer tokenizer, PrefixCache cache,
                            KvEventPublisher kvEvents) {
        this.kvEvents = kvEvents;
        this.config = config;
        this.server = server;
        this.io = io;
        this.scheduler = scheduler;
        this.faults = faults;
        this.stats = stats;
        this.tokenizer = tokenizer;
        this.cache = cache;
        String host = server.getAddress().getAddress().isAnyLocalAddress() ? "127.0.0.1" : server.getAddress().getHostString();
        this.baseUrl = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort());
    }

    /** Binds {@code config.port()} (0 picks a free port) and starts serving. */
    public static SimulatedEngine start(SimulatorConfig config) throws IOException {
        // The JDK server writes headers and body in separate packets; with Nagle on, every response
        // waits out the client's delayed ACK (~40 ms). It reads this once, before its first server.
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), 1024);
        int port = server.getAddress().getPort();
        ExecutorService io = new ThreadPoolExecutor(config.ioThreads(), config.ioThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("sim-" + port + "-io-"));
        SimulatorStats stats = new SimulatorStats();
        SimulatorFaults faults = new SimulatorFaults(config.seed());
        PrefixCache cache = new PrefixCache(config.kvCacheBlocks(), config.blockSize());
        KvEventPublisher kvEvents = config.kvEventsEnabled()
                ? new KvEventPublisher(config.host(), config.kvEventsPort(), config.kvEventsReplayPort(), config.kvEventsWireFormat())
                : null;
        if (kvEvents != null) {
            cache.publishTo(kvEvents);
        }
        EngineScheduler scheduler = new EngineScheduler(config, cache, stats, "sim-" + port + "-engine", faults::slowdown);
        stats.attach(scheduler);
        SimulatedTokenizer tokenizer = new SimulatedTokenizer();
        server.createContext("/", new SimulatorHttpApi(config, tokenizer, scheduler, cache, stats, faults, io));
        server.setExecutor(io);
        server.start();
        return new SimulatedEngine(config, server, io, scheduler, faults, stats, tokenizer, cache, kvEvents);
    }

    public int port() { return server.getAddress().getPort(); }
    /** {@code http://127.0.0.1:<port>}; append {@code /v1} for an OpenAI client's base URL. */
    public URI baseUrl() { return baseUrl; }
    public SimulatorConfig config() { return config; }
    public SimulatorFaults faults() { return faults; }
    public SimulatorStats stats() { return stats; }

    /** The KV event publisher (its ports and test faults), or null when {@code kv-events-port} is -1. */
    public KvEventPublisher kvEvents() { return kvEvents; }

    /** {@code tcp://host:port} of the KV event PUB socket, or null when events are off. */
    public String kvEventsEndpoint() {
        return kvEvents == null ? null : "tcp://" + baseUrl.getHost() + ":" + kvEvents.port();
    }

    /** {@code tcp://host:port} of the replay ROUTER socket, or null when there is none. */
    public String kvEventsReplayEndpoint() {
        return kvEvents == null || kvEvents.replayPort() < 0 ? null : "tcp://" + baseUrl.getHost() + ":" + kvEvents.replayPort();
    }

    /** vLLM's {@code /reset_prefix_cache}: drops every cached block unless requests hold some. */
    public boolean resetPrefixCache() {
        return scheduler.resetPrefixCache();
    }

    /** Token ids this engine's tokenizer gives {@code text} (no BOS added). */
    public int[] tokenize(String text) {
        return tokenizer.tokenize(text);
    }

    /**
     * How many leading full blocks of a completions prompt are in this engine's prefix cache now;
     * lets tests and benchmarks check where a prefix lives without sending a request.
     */
    public int cachedPrefixBlocks(String completionPrompt, String cacheSalt) {
        int[] tokens = GenerationRequest.withBos(tokenizer, tokenizer.tokenize(completionPrompt));
        return scheduler.cachedPrefixBlocks(cache.blockHashes(tokens, cacheSalt));
    }

    /** Stops at once: open connections are dropped mid-response, as when an engine dies. */
    @Override
    public void close() {
        faults.drainHeld();
        server.stop(0);
        scheduler.close();
        io.shutdownNow();
        if (kvEvents != null) {
            kvEvents.close();
        }
    }

    @Override
    public String toString() {
        return "SimulatedEngine(" + baseUrl + ", " + config.primaryModel() + ")";
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
