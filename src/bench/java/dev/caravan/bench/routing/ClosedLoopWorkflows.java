package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop agent workflows: at most {@code concurrency} workflows run at a time and a new one
 * starts when one ends (agents waiting on each other, not arrivals at a rate). Each round of a
 * workflow is one planner call, then {@code workers} parallel worker calls sent together once the
 * plan is there (each includes it), then one critic call once every worker answered (it includes
 * their findings). The next round repeats the three steps with the previous round's conversation
 * as context, so the workflow's prefix grows.
 *
 * <p>Every workflow has its own long context (a system prompt shared by all workflows plus a task
 * document of its own, 1,500-2,500 tokens together, its length drawn from the seed); every agent
 * has its own role prompt, sent last, so that a workflow's calls share the context, the history
 * and the round's task. Agent outputs in later prompts are deterministic stand-ins of the
 * generated length, as in {@link AgenticWorkflowWorkload}: the prompts are the same under every
 * policy. Workers name the planner's response as {@code parent_request_id}, the critic the first
 * worker's, the next round's planner the critic's.
 */
final class ClosedLoopWorkflows implements Workload {

    static final int SYSTEM_TOKENS = 200;

    private final int workflows;
    private final int concurrency;
    private final int rounds;
    private final int workers;
    private final int outputTokens;
    private final int kvCacheBlocks;
    private final long seed;

    ClosedLoopWorkflows(int workflows, int concurrency, int rounds, int workers, int outputTokens, int kvCacheBlocks,
                        long seed) {
        if (workflows <= 0 || concurrency <= 0 || rounds <= 0 || workers <= 0 || outputTokens <= 0 || kvCacheBlocks <= 0) {
            throw new IllegalArgumentException("closed-loop: workflows, concurrency, rounds, workers, output tokens and KV blocks must be positive");
        }
        this.workflows = workflows;
        this.concurrency = concurrency;
        this.rounds = rounds;
        this.workers = workers;
        this.outputTokens = outputTokens;
        this.kvCacheBlocks = kvCacheBlocks;
        this.seed = seed;
    }

    @Override public String name() { return "closed-loop-c" + concurrency; }
    @Override public boolean workflow() { return true; }
    @Override public int expectedCalls() { return workflows * rounds * (workers + 2); }
    int concurrency() { return concurrency; }

    /**
     * 16 running sequences, blocks of 16 tokens and 1,024 blocks (16,384 tokens) per engine: a
     * workflow ends at about 2,600 prompt tokens (~165 blocks) plus its workers' own tails, ~200
     * blocks in all, so an engine holds about five workflows. The 48 workflows need ~10,000 blocks,
     * more than twice what 4 engines hold, so finished workflows are evicted (LRU); 12 running
     * workflows fit when each engine serves its own three (~600 blocks), not when every engine
     * sees all twelve (~2,000 blocks), which is what the placement is measured on.
     * {@code --closed-loop-kv-cache-blocks} changes the size.
     */
    @Override
    public Map<String, String> engineOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max-running", "16");
        m.put("block-size", "16");
        m.put("kv-cache-blocks", String.valueOf(kvCacheBlocks));
        return m;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("workflows", workflows);
        p.put("concurrency", concurrency);
        p.put("rounds", rounds);
        p.put("workers", workers);
        p.put("output_tokens", outputTokens);
        p.put("system_prompt_tokens", SYSTEM_TOKENS);
        p.put("context_tokens", "1500..2500 (system prompt + task document)");
        p.put("kv_cache_blocks_per_engine", kvCacheBlocks);
        return p;
    }

    /** Tokens of workflow {@code w}'s task document: 1,300..2,300, deterministic from the seed. */
    int documentTokens(int w) {
        long h = SplitMix.mix(seed * 1_000_003L + w);
        return 1300 + (int) Long.remainderUnsigned(h, 1001);
    }

    @Override
    public CompletableFuture<Void> run(Driver d) {
        AtomicInteger next = new AtomicInteger();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < Math.min(concurrency, workflows); i++) lanes.add(lane(d, next));
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
    }

    /** One of the {@code concurrency} slots: runs workflows one after another until none is left. */
    private CompletableFuture<Void> lane(Driver d, AtomicInteger next) {
        int w = next.getAndIncrement();
        if (w >= workflows) return CompletableFuture.completedFuture(null);
        return workflow(d, w).thenCompose(v -> lane(d, next));
    }

    private CompletableFuture<Void> workflow(Driver d, int w) {
        String wf = "closed-" + seed + "-" + w;
        String context = SyntheticText.of("closed-loop-system", SYSTEM_TOKENS) + SyntheticText.of(wf + "-document", documentTokens(w));
        List<ChatCall.Message> start = List.of(new ChatCall.Message("system", context));
        return round(d, wf, start, null, 0);
    }

    private CompletableFuture<Void> round(Driver d, String wf, List<ChatCall.Message> history, String parent, int r) {
        if (r == rounds) return CompletableFuture.completedFuture(null);
        List<ChatCall.Message> base = with(history, "user", "Round " + (r + 1) + ":" + SyntheticText.of(wf + "-task-" + r, 40));
        String plan = SyntheticText.of(wf + "-plan-" + r, outputTokens);
        return d.call(call(wf, "planner", "planner", parent, with(base, "user", role("planner"))))
                .thenCompose(planner -> {
                    List<ChatCall.Message> planned = with(base, "assistant", plan);
                    List<CompletableFuture<CallResult>> calls = new ArrayList<>();
                    for (int i = 0; i < workers; i++) {
                        calls.add(d.call(call(wf, "worker", "worker-" + i, planner.responseId(),
                                with(planned, "user", role("worker-" + i)))));
                    }
                    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> calls);
                })
                .thenCompose(calls -> {
                    List<ChatCall.Message> found = with(base, "assistant", plan);
                    for (int i = 0; i < workers; i++) {
                        found = with(found, "user", "Worker " + i + " found:" + SyntheticText.of(wf + "-finding-" + r + "-" + i, outputTokens));
                    }
                    List<ChatCall.Message> reviewed = found;
                    return d.call(call(wf, "critic", "critic", calls.get(0).join().responseId(), with(reviewed, "user", role("critic"))))
                            .thenCompose(critic -> round(d, wf,
                                    with(reviewed, "assistant", SyntheticText.of(wf + "-review-" + r, outputTokens)),
                                    critic.responseId(), r + 1));
                });
    }

    /** An agent's own role prompt: the same for that role in every workflow. */
    private static String role(String agent) {
        return "You are the " + agent + "." + SyntheticText.of("closed-loop-role-" + agent, 30);
    }

    private static List<ChatCall.Message> with(List<ChatCall.Message> messages, String role, String content) {
        List<ChatCall.Message> m = new ArrayList<>(messages);
        m.add(new ChatCall.Message(role, content));
        return List.copyOf(m);
    }

    private ChatCall call(String wf, String phase, String agent, String parent, List<ChatCall.Message> messages) {
        return new ChatCall(wf, phase, messages, outputTokens, new ChatCall.Workflow(wf, agent, parent));
    }

    /** SplitMix64's finaliser, for the document lengths. */
    private static final class SplitMix {
        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
