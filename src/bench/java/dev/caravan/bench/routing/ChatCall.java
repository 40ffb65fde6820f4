package dev.caravan.bench.routing;

import java.util.List;

/**
 * One chat completion a workload wants sent.
 *
 * @param session   the user or workflow the call belongs to (sent as the session header)
 * @param phase     what the call is in its workload (planner, worker, round-3, cold, ...)
 * @param messages  OpenAI chat messages, earliest first
 * @param maxTokens output tokens (the simulator generates exactly this many)
 * @param workflow  workflow metadata to send, or null for a plain request
 */
public record ChatCall(String session, String phase, List<Message> messages, int maxTokens, Workflow workflow) {

    public record Message(String role, String content) {}

    /** The seed plan's {@code workflow_metadata} fields the benchmark sends. */
    public record Workflow(String workflowId, String agentId, String parentRequestId) {}
}
