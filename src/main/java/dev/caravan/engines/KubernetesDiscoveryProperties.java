package dev.caravan.engines;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.engine-discovery.kubernetes.*}: engines found as pods in a namespace rather than
 * listed. Not under {@code caravan.engines}, which is the static list: in YAML one key cannot be
 * both a list and a map.
 */
@ConfigurationProperties(prefix = "caravan.engine-discovery.kubernetes")
public class KubernetesDiscoveryProperties {

    /** Watch pods and add or remove engines as they become ready or go; off by default. */
    private boolean enabled;
    /** Namespace to watch; empty means the gateway's own (the service account's, or the kubeconfig's). */
    private String namespace = "";
    /** Label selector of engine pods, in kubectl syntax ({@code app=vllm,tier in (gpu)}). */
    private String labelSelector = "caravan.dev/engine=true";
    /** The engine's port: a number, or the name of a container port ({@code http}). */
    private String port = "8000";
    /** {@code http} or {@code https}. */
    private String scheme = "http";
    /**
     * Annotation, else label, naming the models the pod serves (comma-separated). Annotations can
     * carry model names with {@code /}; label values cannot. Absent: the engine's /v1/models decides.
     */
    private String modelKey = "caravan.dev/model";
    /** Annotation or label whose value {@code true} says the engine runs with --scheduling-policy priority. */
    private String prioritySchedulingKey = "caravan.dev/priority-scheduling";
    /** Annotation or label with the KV-cache size in tokens ({@code caravan.engines[i].kv-cache-tokens}). */
    private String kvCacheTokensKey = "caravan.dev/kv-cache-tokens";
    /** API key every discovered engine expects (vLLM --api-key), sent as a Bearer token. */
    private String apiKey;
    /**
     * Kubernetes API server URL; empty means the client's own configuration (in-cluster service
     * account, else KUBECONFIG / ~/.kube/config).
     */
    private String apiServerUrl = "";
    /** Full relist interval of the informer, on top of the watch; 0 turns it off. */
    private Duration resyncPeriod = Duration.ofMinutes(5);

    /**
     * How long start-up waits for the first list of pods, so engines that exist are there when the
     * gateway reports started; after it the gateway starts anyway and the informer keeps trying.
     */
    private Duration initialSyncTimeout = Duration.ofSeconds(30);

    public Duration getInitialSyncTimeout() { return initialSyncTimeout; }
    public void setInitialSyncTimeout(Duration initialSyncTimeout) { this.initialSyncTimeout = initialSyncTimeout; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }
    public String getLabelSelector() { return labelSelector; }
    public void setLabelSelector(String labelSelector) { this.labelSelector = labelSelector; }
    public String getPort() { return port; }
    public void setPort(String port) { this.port = port; }
    public String getScheme() { return scheme; }
    public void setScheme(String scheme) {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("caravan.engine-discovery.kubernetes.scheme must be http or https, not " + scheme);
        }
        this.scheme = scheme;
    }
    public String getModelKey() { return modelKey; }
    public void setModelKey(String modelKey) { this.modelKey = modelKey; }
    public String getPrioritySchedulingKey() { return prioritySchedulingKey; }
    public void setPrioritySchedulingKey(String prioritySchedulingKey) { this.prioritySchedulingKey = prioritySchedulingKey; }
    public String getKvCacheTokensKey() { return kvCacheTokensKey; }
    public void setKvCacheTokensKey(String kvCacheTokensKey) { this.kvCacheTokensKey = kvCacheTokensKey; }
    public String getApiKey() { return apiKey; }
    public void setApiKey(String apiKey) { this.apiKey = apiKey; }
    public String getApiServerUrl() { return apiServerUrl; }
    public void setApiServerUrl(String apiServerUrl) { this.apiServerUrl = apiServerUrl; }
    public Duration getResyncPeriod() { return resyncPeriod; }
    public void setResyncPeriod(Duration resyncPeriod) { this.resyncPeriod = resyncPeriod; }
}
