package dev.caravan.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.metrics.*}: how much detail the workflow series carry. Every label value that
 * clients choose (workflow ids, agent ids) is either off or capped, so the number of series stays
 * bounded however many workflows run. The agent queues' series are {@code caravan.messaging.metrics.*}.
 */
@ConfigurationProperties(prefix = "caravan.metrics")
public class MetricsProperties {

    /**
     * {@code caravan.metrics.per-workflow}: tag the {@code vllm_workflow_*} series with
     * {@code workflow_id} (the seed plan's labels). Off by default: one series per workflow grows
     * without bound with many short workflows; on, a workflow's series go when it ends or expires.
     */
    private boolean perWorkflow = false;

    /**
     * {@code caravan.metrics.max-agent-ids}: distinct {@code agent_id} label values kept; agents
     * seen after that are counted under {@code agent_id="other"}. Default 100.
     */
    private int maxAgentIds = 100;

    public boolean isPerWorkflow() { return perWorkflow; }
    public void setPerWorkflow(boolean perWorkflow) { this.perWorkflow = perWorkflow; }
    public int getMaxAgentIds() { return maxAgentIds; }
    public void setMaxAgentIds(int maxAgentIds) { this.maxAgentIds = Math.max(0, maxAgentIds); }
}
