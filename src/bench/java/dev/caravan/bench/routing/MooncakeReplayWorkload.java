package dev.caravan.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replay of the Mooncake conversation trace (FAST '25): each line's {@code hash_ids} become the
 * prompt, every id expanded to the same 512 tokens of text (so equal ids give equal prefixes, as the
 * trace means them), sent at {@code timestamp x timeScale}. Plain requests, no session key (the
 * trace has none). The output length is the trace's, capped (see {@link #maxOutput}).
 */
final class MooncakeReplayWorkload implements Workload {

    static final int TOKENS_PER_HASH = 512;

    private final Path trace;
    private final int requests;
    private final double timeScale;
    private final int maxOutput;
    private final int maxInputTokens;
    private final List<JsonNode> rows = new ArrayList<>();
    private final Map<Long, String> blockText = new ConcurrentHashMap<>();

    /**
     * @param requests       leading requests of the trace replayed
     * @param timeScale      multiplies the trace's timestamps (0.25 replays four times faster)
     * @param maxOutput      cap on generated tokens
     * @param maxInputTokens requests with longer prompts are skipped (they would not fit the engine's context)
     */
    MooncakeReplayWorkload(Path trace, int requests, double timeScale, int maxOutput, int maxInputTokens) throws IOException {
        this.trace = trace;
        this.requests = requests;
        this.timeScale = timeScale;
        this.maxOutput = maxOutput;
        this.maxInputTokens = maxInputTokens;
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader r = Files.newBufferedReader(trace)) {
            String line;
            while (rows.size() < requests && (line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                JsonNode n = json.readTree(line);
                if (n.path("hash_ids").size() * TOKENS_PER_HASH <= maxInputTokens) rows.add(n);
            }
        }
    }

    @Override public String name() { return "mooncake"; }
    @Override public boolean workflow() { return false; }
    @Override public boolean replaysTrace() { return true; }
    @Override public int expectedCalls() { return rows.size(); }

    @Override
    public Map<String, String> engineOptions() {
        return Map.of("max-model-len", String.valueOf(maxInputTokens + maxOutput + 1024));
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("trace", trace.getFileName().toString());
        p.put("requests", rows.size());
        p.put("timestamp_scale", timeScale);
        p.put("tokens_per_hash_id", TOKENS_PER_HASH);
        p.put("max_output_tokens", maxOutput);
        p.put("max_input_tokens", maxInputTokens);
        return p;
    }

    @Override
    public CompletableFuture<Void> run(Driver d) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String id = "mooncake-" + i;
            all.add(d.at(row.path("timestamp").asDouble() * timeScale, () -> {
                StringBuilder prompt = new StringBuilder();
                for (JsonNode h : row.path("hash_ids")) {
                    prompt.append(blockText.computeIfAbsent(h.asLong(), k -> SyntheticText.of("mooncake-block-" + k, TOKENS_PER_HASH)));
                }
                int out = Math.max(1, Math.min(maxOutput, row.path("output_length").asInt(1)));
                return d.call(new ChatCall(null, id, List.of(new ChatCall.Message("user", prompt.toString())), out, null));
            }));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }
}
