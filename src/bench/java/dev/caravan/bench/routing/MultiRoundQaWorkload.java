package dev.caravan.bench.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Multi-round conversations in the style of production-stack's {@code benchmarks/multi-round-qa}:
 * {@code users} users, each with {@code rounds} rounds; every conversation starts with the same
 * system prompt and the user's own history document, and each round appends a question and the
 * answer, so prompts grow. Users start evenly spread at the target rate and a user sends its next
 * question {@code users / qps} seconds after its previous one (or when the answer arrived, if later),
 * so the whole runs at about {@code qps} requests per second. Plain requests: no workflow metadata;
 * the user id goes in the session header.
 */
final class MultiRoundQaWorkload implements Workload {

    private final int users;
    private final int rounds;
    private final double qps;
    private final int systemTokens;
    private final int historyTokens;
    private final int questionTokens;
    private final int answerTokens;
    private final long seed;

    MultiRoundQaWorkload(int users, int rounds, double qps, int systemTokens, int historyTokens, int questionTokens,
                         int answerTokens, long seed) {
        this.users = users;
        this.rounds = rounds;
        this.qps = qps;
        this.systemTokens = systemTokens;
        this.historyTokens = historyTokens;
        this.questionTokens = questionTokens;
        this.answerTokens = answerTokens;
        this.seed = seed;
    }

    @Override public String name() { return "multi-round-qa"; }
    @Override public boolean workflow() { return false; }
    @Override public int expectedCalls() { return users * rounds; }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("num_users", users);
        p.put("num_rounds", rounds);
        p.put("qps", qps);
        p.put("shared_system_prompt_tokens", systemTokens);
        p.put("user_history_prompt_tokens", historyTokens);
        p.put("question_tokens", questionTokens);
        p.put("answer_len", answerTokens);
        return p;
    }

    @Override
    public CompletableFuture<Void> run(Driver d) {
        String system = SyntheticText.of("qa-system", systemTokens);
        double gapMs = users / qps * 1000.0;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String user = "qa-" + seed + "-user-" + u;
            List<ChatCall.Message> history = new ArrayList<>();
            history.add(new ChatCall.Message("system", system));
            history.add(new ChatCall.Message("user", SyntheticText.of(user + "-history", historyTokens)));
            history.add(new ChatCall.Message("assistant", SyntheticText.of(user + "-ack", 8)));
            double start = u / qps * 1000.0;
            all.add(d.at(start, () -> round(d, user, history, 0, start, gapMs)));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> round(Driver d, String user, List<ChatCall.Message> history, int r,
                                          double sentAt, double gapMs) {
        if (r == rounds) return CompletableFuture.completedFuture(null);
        List<ChatCall.Message> msgs = new ArrayList<>(history);
        msgs.add(new ChatCall.Message("user", SyntheticText.of(user + "-q-" + r, questionTokens)));
        return d.call(new ChatCall(user, "round-" + r, List.copyOf(msgs), answerTokens, null)).thenCompose(res -> {
            msgs.add(new ChatCall.Message("assistant", SyntheticText.of(user + "-a-" + r, answerTokens)));
            double next = sentAt + gapMs;
            return d.at(next, () -> round(d, user, msgs, r + 1, Math.max(next, d.nowMs()), gapMs));
        });
    }
}
