package dev.caravan.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Immutable settings of one simulated vLLM engine. Defaults are llm-d-inference-sim's published
 * profile for an 8B model on an H100, so an engine built with {@code SimulatorConfig.defaults()}
 * behaves like the engine the gateway will meet in production.
 *
 * <p>Every field can be set from the command line as {@code --kebab-name=value}; see
 * {@link #fromArgs(String...)} and {@link #optionNames()}.
 */
public final class SimulatorConfig {

    public static final String DEFAULT_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    private final String host;
    private final int port;
    private final List<String> models;
    private final int maxModelLen;
    private final double interTokenLatencyMs;
    private final double prefillOverheadMs;
    private final double prefillPerTokenMs;
    private final double loadFactor;
    private final int maxRunning;
    private final int maxWaiting;
    private final int kvCacheBlocks;
    private final int blockSize;
    private final double jitterFraction;
    private final long seed;
    private final double timeScale;
    private final SchedulingPolicy schedulingPolicy;
    private final int defaultMaxTokens;
    private final boolean reportPromptTokensDetails;
    private final int embeddingDimensions;
    private final int ioThreads;
    private final String vllmVersion;
    private final LatencyProfile latencyProfile;
    private final int maxNumBatchedTokens;
    private final double speed;
    private final int kvEventsPort;
    private final int kvEventsReplayPort;
    private final KvEventWireFormat kvEventsWireFormat;

    private SimulatorConfig(Builder b) {
        if (b.models.isEmpty()) {
            throw new IllegalArgumentException("at least one model name is required");
        }
        require(b.port >= 0 && b.port <= 65535, "port must be 0..65535");
        require(b.maxModelLen > 0, "max-model-len must be positive");
        require(b.interTokenLatencyMs >= 0 && b.prefillOverheadMs >= 0 && b.prefillPerTokenMs >= 0,
                "latencies must not be negative");
        require(b.loadFactor >= 1.0, "load-factor must be >= 1");
        require(b.maxRunning > 0, "max-running must be positive");
        require(b.maxWaiting >= 0, "max-waiting must not be negative");
        require(b.kvCacheBlocks > 0 && b.blockSize > 0, "kv-cache-blocks and block-size must be positive");
        require(b.jitterFraction >= 0, "jitter must not be negative");
        require(b.timeScale >= 0, "time-scale must not be negative");
        require(b.defaultMaxTokens > 0, "default-max-tokens must be positive");
        require(b.embeddingDimensions > 0, "embedding-dimensions must be positive");
        require(b.ioThreads > 0, "io-threads must be positive");
        require(b.maxNumBatchedTokens > 0, "max-num-batched-tokens must be positive, got " + b.maxNumBatchedTokens);
        // vLLM refuses the same: a step must fit one decode token of every running sequence.
        require(b.latencyProfile != LatencyProfile.CHUNKED_PREFILL || b.maxNumBatchedTokens >= b.maxRunning,
                "max-num-batched-tokens (" + b.maxNumBatchedTokens + ") must be >= max-running (" + b.maxRunning
                        + ") under latency-profile=chunked-prefill");
        require(b.speed > 0 && Double.isFinite(b.speed), "speed must be a positive finite factor (0.5 = twice as slow), got " + b.speed);
        this.host = b.host;
        this.port = b.port;
        this.models = List.copyOf(b.models);
        this.maxModelLen = b.maxModelLen;
        this.interTokenLatencyMs = b.interTokenLatencyMs;
        this.prefillOverheadMs = b.prefillOverheadMs;
        this.prefillPerTokenMs = b.prefillPerTokenMs;
        this.loadFactor = b.loadFactor;
        this.maxRunning = b.maxRunning;
        this.maxWaiting = b.maxWaiting;
        this.kvCacheBlocks = b.kvCacheBlocks;
        this.blockSize = b.blockSize;
        this.jitterFraction = b.jitterFraction;
        this.seed = b.seed;
        this.timeScale = b.timeScale;
        this.schedulingPolicy = b.schedulingPolicy;
        this.defaultMaxTokens = b.defaultMaxTokens;
        this.reportPromptTokensDetails = b.reportPromptTokensDetails;
        this.embeddingDimensions = b.embeddingDimensions;
        this.ioThreads = b.ioThreads;
        this.vllmVersion = b.vllmVersion;
        this.latencyProfile = b.latencyProfile;
        this.maxNumBatchedTokens = b.maxNumBatchedTokens;
        this.speed = b.speed;
        require(b.kvEventsPort >= -1 && b.kvEventsPort <= 65535 && b.kvEventsReplayPort >= -1 && b.kvEventsReplayPort <= 65535,
                "kv-events-port and kv-events-replay-port must be -1 (off), 0 (a free port) or a port");
        this.kvEventsPort = b.kvEventsPort;
        this.kvEventsReplayPort = b.kvEventsReplayPort;
        this.kvEventsWireFormat = b.kvEventsWireFormat;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static SimulatorConfig defaults() { return builder().build(); }
    public static Builder builder() { return new Builder(); }
    public Builder toBuilder() { return new Builder(this); }

    /** Interface to bind; loopback by default so tests never expose a port. */
    public String host() { return host; }
    /** Port to bind, 0 for a free one. */
    public int port() { return port; }
    /** Served model names; the first one labels the metrics, as vLLM's first served name does. */
    public List<String> models() { return models; }
    public String primaryModel() { return models.get(0); }
    /** Largest prompt + output length in tokens a request may ask for. */
    public int maxModelLen() { return maxModelLen; }
    public double interTokenLatencyMs() { return interTokenLatencyMs; }
    public double prefillOverheadMs() { return prefillOverheadMs; }
    public double prefillPerTokenMs() { return prefillPerTokenMs; }
    /** Latency stretch at full concurrency; 1 means load does not slow the engine down. */
    public double loadFactor() { return loadFactor; }
    /** Sequences decoded together, vLLM's {@code --max-num-seqs}. */
    public int maxRunning() { return maxRunning; }
    /** Requests that may wait for a slot; the next one gets 429. */
    public int maxWaiting() { return maxWaiting; }
    public int kvCacheBlocks() { return kvCacheBlocks; }
    public int blockSize() { return blockSize; }
    /** Standard deviation of the Gaussian latency jitter as a fraction of the latency. */
    public double jitterFraction() { return jitterFraction; }
    public long seed() { return seed; }
    /** Multiplies every latency; 0 answers at once (the proxy-overhead stub). */
    public double timeScale() { return timeScale; }
    public SchedulingPolicy schedulingPolicy() { return schedulingPolicy; }
    /** Output length when a request gives no {@code max_tokens}; the sequence then ends with "stop". */
    public int defaultMaxTokens() { return defaultMaxTokens; }
    /** Whether {@code usage.prompt_tokens_details.cached_tokens} is reported (vLLM's {@code --enable-prompt-tokens-details}). */
    public boolean reportPromptTokensDetails() { return reportPromptTokensDetails; }
    public int embeddingDimensions() { return embeddingDimensions; }
    /** Threads that parse requests and write responses; the engine loop itself is one more thread. */
    public int ioThreads() { return ioThreads; }
    /** What {@code GET /version} reports. */
    public String vllmVersion() { return vllmVersion; }
    /** Shape of prefill and decode latency; {@link LatencyProfile#LINEAR} is the simulator as it always was. */
    public LatencyProfile latencyProfile() { return latencyProfile; }
    /** Token budget of one engine step under {@code chunked-prefill}, vLLM's {@code --max-num-batched-tokens}. */
    public int maxNumBatchedTokens() { return maxNumBatchedTokens; }
    /** Relative speed of this engine's GPU: every latency is divided by it (0.5 = twice as slow). */
    public double speed() { return speed; }

    /** Port of the KV event PUB socket: -1 publishes nothing (the default, as vLLM), 0 a free port. */
    public int kvEventsPort() { return kvEventsPort; }
    /** Port of the replay ROUTER socket: -1 none, 0 a free port; only with {@link #kvEventsPort()} on. */
    public int kvEventsReplayPort() { return kvEventsReplayPort; }
    public KvEventWireFormat kvEventsWireFormat() { return kvEventsWireFormat; }
    public boolean kvEventsEnabled() { return kvEventsPort >= 0; }

    /**
     * Parses {@code --name=value} arguments over the defaults. Unknown names fail loudly so a
     * typo in a benchmark script does not silently run with a default.
     */
    public static SimulatorConfig fromArgs(String... args) {
        Builder b = builder();
        Map<String, BiConsumer<Builder, String>> options = options();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            String value = eq < 0 ? "true" : arg.substring(eq + 1);
            BiConsumer<Builder, String> setter = options.get(name);
            if (setter == null) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + options.keySet());
            }
            try {
                setter.accept(b, value);
            } catch (NumberFormatException e) {
                // The JDK's message ("For input string: ...") names neither the option nor what it wants.
                throw new IllegalArgumentException("--" + name + "=" + value + " is not a number", e);
            }
        }
        return b.build();
    }

    /** Option names accepted by {@link #fromArgs(String...)}, vLLM's own spellings included as aliases. */
    public static List<String> optionNames() {
        return new ArrayList<>(options().keySet());
    }

    private static Map<String, BiConsumer<Builder, String>> options() {
        Map<String, BiConsumer<Builder, String>> o = new LinkedHashMap<>();
        o.put("host", Builder::host);
        o.put("port", (b, v) -> b.port(Integer.parseInt(v)));
        o.put("model", (b, v) -> b.models(Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
        o.put("served-model-name", o.get("model"));
        o.put("max-model-len", (b, v) -> b.maxModelLen(Integer.parseInt(v)));
        o.put("inter-token-latency-ms", (b, v) -> b.interTokenLatencyMs(Double.parseDouble(v)));
        o.put("prefill-overhead-ms", (b, v) -> b.prefillOverheadMs(Double.parseDouble(v)));
        o.put("prefill-per-token-ms", (b, v) -> b.prefillPerTokenMs(Double.parseDouble(v)));
        o.put("load-factor", (b, v) -> b.loadFactor(Double.parseDouble(v)));
        o.put("max-running", (b, v) -> b.maxRunning(Integer.parseInt(v)));
        o.put("max-num-seqs", o.get("max-running"));
        o.put("max-waiting", (b, v) -> b.maxWaiting(Integer.parseInt(v)));
        o.put("kv-cache-blocks", (b, v) -> b.kvCacheBlocks(Integer.parseInt(v)));
        o.put("num-gpu-blocks-override", o.get("kv-cache-blocks"));
        o.put("block-size", (b, v) -> b.blockSize(Integer.parseInt(v)));
        o.put("jitter", (b, v) -> b.jitterFraction(Double.parseDouble(v)));
        o.put("seed", (b, v) -> b.seed(Long.parseLong(v)));
        o.put("time-scale", (b, v) -> b.timeScale(Double.parseDouble(v)));
        o.put("scheduling-policy", (b, v) -> b.schedulingPolicy(SchedulingPolicy.parse(v)));
        o.put("default-max-tokens", (b, v) -> b.defaultMaxTokens(Integer.parseInt(v)));
        o.put("prompt-tokens-details", (b, v) -> b.reportPromptTokensDetails(Boolean.parseBoolean(v)));
        o.put("enable-prompt-tokens-details", o.get("prompt-tokens-details"));
        o.put("embedding-dimensions", (b, v) -> b.embeddingDimensions(Integer.parseInt(v)));
        o.put("io-threads", (b, v) -> b.ioThreads(Integer.parseInt(v)));
        o.put("vllm-version", Builder::vllmVersion);
        o.put("latency-profile", (b, v) -> b.latencyProfile(LatencyProfile.parse(v)));
        o.put("max-num-batched-tokens", (b, v) -> b.maxNumBatchedTokens(Integer.parseInt(v)));
        o.put("speed", (b, v) -> b.speed(Double.parseDouble(v)));
        o.put("kv-events-port", (b, v) -> b.kvEventsPort(Integer.parseInt(v)));
        o.put("kv-events-replay-port", (b, v) -> b.kvEventsReplayPort(Integer.parseInt(v)));
        o.put("kv-events-wire-format", (b, v) -> b.kvEventsWireFormat(KvEventWireFormat.parse(v)));
        return o;
    }

    @Override
    public String toString() {
        return "SimulatorConfig{host=" + host + ", port=" + port + ", models=" + models
                + ", maxModelLen=" + maxModelLen + ", interTokenLatencyMs=" + interTokenLatencyMs
                + ", prefillOverheadMs=" + prefillOverheadMs + ", prefillPerTokenMs=" + prefillPerTokenMs
                + ", loadFactor=" + loadFactor + ", maxRunning=" + maxRunning + ", maxWaiting=" + maxWaiting
                + ", kvCacheBlocks=" + kvCacheBlocks + ", blockSize=" + blockSize
                + ", jitterFraction=" + jitterFraction + ", seed=" + seed + ", timeScale=" + timeScale
                + ", schedulingPolicy=" + schedulingPolicy.cliName() + ", defaultMaxTokens=" + defaultMaxTokens
                + ", reportPromptTokensDetails=" + reportPromptTokensDetails
                + ", latencyProfile=" + latencyProfile.cliName() + ", maxNumBatchedTokens=" + maxNumBatchedTokens
                + ", speed=" + speed + ", kvEventsPort=" + kvEventsPort + ", kvEventsReplayPort=" + kvEventsReplayPort
                + ", kvEventsWireFormat=" + kvEventsWireFormat.cliName() + "}";
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private List<String> models = List.of(DEFAULT_MODEL);
        private int maxModelLen = 16384;
        private double interTokenLatencyMs = 12.0;
        private double prefillOverheadMs = 30.0;
        private double prefillPerTokenMs = 0.25;
        private double loadFactor = 2.0;
        private int maxRunning = 16;
        private int maxWaiting = 1024;
        private int kvCacheBlocks = 1024;
        private int blockSize = 16;
        private double jitterFraction = 0.05;
        private long seed = 42;
        private double timeScale = 1.0;
        private SchedulingPolicy schedulingPolicy = SchedulingPolicy.FCFS;
        private int defaultMaxTokens = 128;
        private boolean reportPromptTokensDetails = true;
        private int embeddingDimensions = 384;
        private int ioThreads = 4;
        private String vllmVersion = "0.11.0";
        private LatencyProfile latencyProfile = LatencyProfile.LINEAR;
        private int maxNumBatchedTokens = 2048;
        private double speed = 1.0;
        private int kvEventsPort = -1;
        private int kvEventsReplayPort = -1;
        private KvEventWireFormat kvEventsWireFormat = KvEventWireFormat.MAP;

        private Builder() {
        }

        private Builder(SimulatorConfig c) {
            host = c.host;
            port = c.port;
            models = c.models;
            maxModelLen = c.maxModelLen;
            interTokenLatencyMs = c.interTokenLatencyMs;
            prefillOverheadMs = c.prefillOverheadMs;
            prefillPerTokenMs = c.prefillPerTokenMs;
            loadFactor = c.loadFactor;
            maxRunning = c.maxRunning;
            maxWaiting = c.maxWaiting;
            kvCacheBlocks = c.kvCacheBlocks;
            blockSize = c.blockSize;
            jitterFraction = c.jitterFraction;
            seed = c.seed;
            timeScale = c.timeScale;
            schedulingPolicy = c.schedulingPolicy;
            defaultMaxTokens = c.defaultMaxTokens;
            reportPromptTokensDetails = c.reportPromptTokensDetails;
            embeddingDimensions = c.embeddingDimensions;
            ioThreads = c.ioThreads;
            vllmVersion = c.vllmVersion;
            latencyProfile = c.latencyProfile;
            maxNumBatchedTokens = c.maxNumBatchedTokens;
            speed = c.speed;
            kvEventsPort = c.kvEventsPort;
            kvEventsReplayPort = c.kvEventsReplayPort;
            kvEventsWireFormat = c.kvEventsWireFormat;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder model(String v) { models = List.of(v); return this; }
        public Builder models(List<String> v) { models = List.copyOf(v); return this; }
        public Builder maxModelLen(int v) { maxModelLen = v; return this; }
        public Builder interTokenLatencyMs(double v) { interTokenLatencyMs = v; return this; }
        public Builder prefillOverheadMs(double v) { prefillOverheadMs = v; return this; }
        public Builder prefillPerTokenMs(double v) { prefillPerTokenMs = v; return this; }
        public Builder loadFactor(double v) { loadFactor = v; return this; }
        public Builder maxRunning(int v) { maxRunning = v; return this; }
        public Builder maxWaiting(int v) { maxWaiting = v; return this; }
        public Builder kvCacheBlocks(int v) { kvCacheBlocks = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder jitterFraction(double v) { jitterFraction = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder timeScale(double v) { timeScale = v; return this; }
        public Builder schedulingPolicy(SchedulingPolicy v) { schedulingPolicy = v; return this; }
        public Builder defaultMaxTokens(int v) { defaultMaxTokens = v; return this; }
        public Builder reportPromptTokensDetails(boolean v) { reportPromptTokensDetails = v; return this; }
        public Builder embeddingDimensions(int v) { embeddingDimensions = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder vllmVersion(String v) { vllmVersion = v; return this; }
        public Builder latencyProfile(LatencyProfile v) { latencyProfile = v; return this; }
        public Builder maxNumBatchedTokens(int v) { maxNumBatchedTokens = v; return this; }
        public Builder speed(double v) { speed = v; return this; }
        public Builder kvEventsPort(int v) { kvEventsPort = v; return this; }
        public Builder kvEventsReplayPort(int v) { kvEventsReplayPort = v; return this; }
        public Builder kvEventsWireFormat(KvEventWireFormat v) { kvEventsWireFormat = v; return this; }

        public SimulatorConfig build() { return new SimulatorConfig(this); }
    }
}
