package dev.caravan.workflows;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * {@code caravan.workflow-support.*}: the seed plan's {@code workflowSupport} block.
 *
 * <p>How the two seed weights map onto the cost function ({@code dev.caravan.placement.policy.LoadScore}):
 * <ul>
 *   <li>{@code cache-affinity-weight} c (0..1) sets the prefix weight to {@code 2 x c} (0.7 -> 1.4,
 *       close to the routing default 1.5): at c = 1 a full prefix hit outweighs one saturated engine's
 *       worth of in-flight load, at c = 0 prefixes are ignored.
 *   <li>{@code batching-preference} b (0..1, "prefer same workflow") sets the affinity weight to b
 *       (the bonus of a workflow's own engines when a broadcast workflow picks among them) and makes
 *       the home stickier: the spills needed to move it become {@code round(spills-to-move x (0.5 + b))}.
 * </ul>
 * When unset (null) the {@code caravan.routing.weights.*} values apply unchanged.
 */
@ConfigurationProperties(prefix = "caravan.workflow-support")
public class WorkflowSupportProperties {

    /** {@code caravan.workflow-support.enabled}: route workflow requests with workflow-aware placement. Default true. */
    private boolean enabled = true;

    /**
     * {@code caravan.workflow-support.ttl}: inactivity after which a workflow is forgotten. Default 3600s.
     * A bare number means seconds, as the seed plan's {@code ttl: 3600  # Workflow TTL in seconds} (Spring's
     * default unit would be milliseconds, turning that hour into 3.6 s); units ({@code 30m}, {@code PT1H}) work.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration ttl = Duration.ofSeconds(3600);

    /** {@code caravan.workflow-support.max-workflows}: live workflows at most; least recently active evicted. Default 1000. */
    private int maxWorkflows = 1000;

    /**
     * {@code caravan.workflow-support.routing.strategy}: policy for workflow requests, by the seed plan's
     * names: {@code workflow_aware} (default), {@code prefixaware}, {@code kvaware} (= prefix-aware until
     * exact KV events exist), or any {@code caravan.routing.plain-policy} name.
     */
    private Routing routing = new Routing();

    /** {@code caravan.workflow-support.batching-preference}: 0..1, see class doc. Default unset. */
    private Double batchingPreference;

    /** {@code caravan.workflow-support.cache-affinity-weight}: 0..1, see class doc. Default unset. */
    private Double cacheAffinityWeight;

    public static class Routing {
        private String strategy = "workflow_aware";

        public String getStrategy() { return strategy; }
        public void setStrategy(String v) { strategy = v; }

        /** The placement policy name for the configured strategy. */
        public String policyName() {
            String s = strategy == null ? "" : strategy.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            switch (s) {
                case "": case "workflow-aware": case "workflowaware": return "workflow-aware";
                case "prefixaware": case "prefix-aware": case "kvaware": case "kv-aware": return "prefix-aware";
                case "roundrobin": return "round-robin";
                case "leastloaded": return "least-loaded";
                default: return s;
            }
        }
    }

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public Duration getTtl() { return ttl; }
    public void setTtl(Duration v) { ttl = v; }
    public int getMaxWorkflows() { return maxWorkflows; }
    public void setMaxWorkflows(int v) { maxWorkflows = v; }
    public Routing getRouting() { return routing; }
    public void setRouting(Routing v) { routing = v; }
    public Double getBatchingPreference() { return batchingPreference; }
    public void setBatchingPreference(Double v) { batchingPreference = v; }
    public Double getCacheAffinityWeight() { return cacheAffinityWeight; }
    public void setCacheAffinityWeight(Double v) { cacheAffinityWeight = v; }
}
