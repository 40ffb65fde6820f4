package dev.caravan.bench.routing;

import java.util.Map;

/** The seed plan's sequential and parallel workloads: a team of {@code agents} agents per workflow. */
abstract class AgentTeamWorkflows extends ArrivingWorkflows {

    protected final int agents;

    AgentTeamWorkflows(int workflows, double perSecond, int agents, int contextTokens, int outputTokens, long seed) {
        super(workflows, perSecond, contextTokens, outputTokens, seed);
        this.agents = agents;
    }

    @Override public int expectedCalls() { return workflows * agents; }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = commonParameters();
        p.put("num_agents", agents);
        p.put("context_tokens", contextTokens);
        p.put("output_tokens", outputTokens);
        return p;
    }
}
