package dev.caravan.engines;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The engines behind the gateway ({@code caravan.engines[i].*}) and how the gateway watches and
 * calls them ({@code caravan.engine-client.*}).
 */
@ConfigurationProperties(prefix = "caravan")
public class EngineProperties {

    /** Static engine list. When empty, simulated engines are started in-process. */
    private List<EngineEntry> engines = new ArrayList<>();
    private final Client engineClient = new Client();
    /**
     * {@code caravan.model-aliases}: other names clients may use for a served model, e.g.
     * {@code [{model: meta-llama/Llama-3.1-8B-Instruct, aliases: [llama]}]}. A list of entries rather
     * than a map keyed by the model, because Spring's map binding drops the {@code /} and {@code .} of
     * model names in keys unless the operator writes them in brackets.
     */
    private List<ModelAlias> modelAliases = new ArrayList<>();

    public List<EngineEntry> getEngines() { return engines; }
    public void setEngines(List<EngineEntry> engines) { this.engines = engines; }
    public List<ModelAlias> getModelAliases() { return modelAliases; }
    public void setModelAliases(List<ModelAlias> modelAliases) { this.modelAliases = modelAliases; }

    /** One served model and the names that mean it. */
    public static class ModelAlias {
        /** The name the engines serve (vLLM's --served-model-name), which they receive. */
        private String model;
        /** Names clients may send instead. */
        private List<String> aliases = new ArrayList<>();

        public String getModel() { return model; }
        public void setModel(String model) { this.model = model; }
        public List<String> getAliases() { return aliases; }
        public void setAliases(List<String> aliases) { this.aliases = aliases; }
    }
    public Client getEngineClient() { return engineClient; }

    public static class EngineEntry {
        /** Base URL of the engine, e.g. http://10.0.0.5:8000 (without /v1). */
        private String url;
        /** Optional id; defaults to engine-N. */
        private String id;
        /** Served model names; empty means "whatever /v1/models reports". */
        private List<String> models = new ArrayList<>();
        /** Free-form labels (zone, gpu, ...), shown in status and metrics. */
        private Map<String, String> labels = new LinkedHashMap<>();
        /** Whether the engine runs with --scheduling-policy priority, so it accepts the priority field. */
        private boolean priorityScheduling;
        /** API key the engine expects (vLLM --api-key); sent as a Bearer token. */
        private String apiKey;
        /**
         * KV-cache size in tokens (vLLM logs it at start as "GPU KV cache size: N tokens"); 0, the
         * default, reads it from the engine's /metrics ({@code vllm:cache_config_info}: num_gpu_blocks
         * x block_size). Set it for engines that do not expose that gauge, or to model less than the
         * whole cache. The prefix index forgets prefixes an engine of this size has probably evicted.
         */
        private long kvCacheTokens;
        /** {@code caravan.engines[i].kv-events.*}: the engine's vLLM KV event stream (precise placement). */
        private KvEvents kvEvents = new KvEvents();

        public KvEvents getKvEvents() { return kvEvents; }
        public void setKvEvents(KvEvents kvEvents) { this.kvEvents = kvEvents; }

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getId() { return id; }
        public void setId(String id) { this.id = id; }
        public List<String> getModels() { return models; }
        public void setModels(List<String> models) { this.models = models; }
        public Map<String, String> getLabels() { return labels; }
        public void setLabels(Map<String, String> labels) { this.labels = labels; }
        public boolean isPriorityScheduling() { return priorityScheduling; }
        public void setPriorityScheduling(boolean priorityScheduling) { this.priorityScheduling = priorityScheduling; }
        public String getApiKey() { return apiKey; }
        public void setApiKey(String apiKey) { this.apiKey = apiKey; }
        public long getKvCacheTokens() { return kvCacheTokens; }
        public void setKvCacheTokens(long kvCacheTokens) {
            if (kvCacheTokens < 0) throw new IllegalArgumentException("kv-cache-tokens must be >= 0");
            this.kvCacheTokens = kvCacheTokens;
        }
    }

    /** One engine's KV event endpoints, as given to vLLM's {@code --kv-events-config}. */
    public static class KvEvents {
        /** PUB endpoint to subscribe to, e.g. {@code tcp://10.0.0.5:5557}; blank: none (or derived, see caravan.kv-events.port). */
        private String endpoint;
        /** Replay ROUTER endpoint, e.g. {@code tcp://10.0.0.5:5558}; blank: none. */
        private String replayEndpoint;

        public String getEndpoint() { return endpoint; }
        public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
        public String getReplayEndpoint() { return replayEndpoint; }
        public void setReplayEndpoint(String replayEndpoint) { this.replayEndpoint = replayEndpoint; }
    }

    public static class Client {
        /** How often /health and /metrics of every engine are read. */
        private Duration scrapeInterval = Duration.ofSeconds(1);
        /** Time allowed for a health or metrics call. */
        private Duration scrapeTimeout = Duration.ofSeconds(3);
        /**
         * Consecutive failed health checks before an engine is taken out. A refused connection on
         * the request path takes it out at once; a slow answer under load does not.
         */
        private int unhealthyThreshold = 2;
        private Duration connectTimeout = Duration.ofSeconds(2);
        /**
         * How often a healthy engine's /v1/models is read again (engines without configured models):
         * a LoRA adapter loaded at run time ({@code /v1/load_lora_adapter}) or an engine restarted
         * with another model between two health checks is seen within this time.
         */
        private Duration modelsRefreshInterval = Duration.ofSeconds(30);
        /** Time allowed until an engine starts answering (headers); generation itself is not bounded. */
        private Duration responseTimeout = Duration.ofMinutes(10);

        public Duration getScrapeInterval() { return scrapeInterval; }
        public void setScrapeInterval(Duration scrapeInterval) { this.scrapeInterval = scrapeInterval; }
        public Duration getScrapeTimeout() { return scrapeTimeout; }
        public void setScrapeTimeout(Duration scrapeTimeout) { this.scrapeTimeout = scrapeTimeout; }
        public int getUnhealthyThreshold() { return unhealthyThreshold; }
        public void setUnhealthyThreshold(int unhealthyThreshold) { this.unhealthyThreshold = unhealthyThreshold; }
        public Duration getConnectTimeout() { return connectTimeout; }
        public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
        public Duration getModelsRefreshInterval() { return modelsRefreshInterval; }
        public void setModelsRefreshInterval(Duration modelsRefreshInterval) { this.modelsRefreshInterval = modelsRefreshInterval; }
        public Duration getResponseTimeout() { return responseTimeout; }
        public void setResponseTimeout(Duration responseTimeout) { this.responseTimeout = responseTimeout; }
    }
}
