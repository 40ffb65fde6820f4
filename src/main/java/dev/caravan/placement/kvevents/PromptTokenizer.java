package dev.caravan.placement.kvevents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.engines.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A prompt's token ids as the engine will see them, from the engine's own {@code POST /tokenize}
 * (vLLM: {@code {model, prompt}} or {@code {model, messages, ...}} with the chat template applied,
 * answering {@code {tokens: [...]}}), kept in a small cache.
 *
 * <p>Latency: a cache miss costs one round trip to an engine before placement. It is asked
 * asynchronously with a deadline ({@code tokenize-timeout}): when the answer is late the request is
 * placed approximately rather than wait, and the late answer still fills the cache for a retry or a
 * repeated prompt. Nothing blocks a thread.
 */
public final class PromptTokenizer {

    /** Chat fields that change what the chat template renders, copied to the tokenize call. */
    private static final String[] CHAT_FIELDS = {"messages", "add_generation_prompt", "continue_final_message",
            "chat_template", "chat_template_kwargs", "tools", "add_special_tokens"};

    private final HttpClient client;
    private final ObjectMapper mapper;
    private final Duration timeout;
    private final Cache<String, int[]> cache;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public PromptTokenizer(HttpClient client, ObjectMapper mapper, Duration timeout, int cacheSize) {
        this.client = client;
        this.mapper = mapper;
        this.timeout = timeout;
        this.cache = Caffeine.newBuilder().maximumSize(Math.max(1, cacheSize)).build();
    }

    /**
     * The token ids of the request {@code body} (a chat or completions body), or null within the
     * deadline when they are not to be had (the engine is slow or failing, or the prompt is not one
     * string). Completes on the HTTP client's threads.
     *
     * @param chat whether {@code body} is a chat completion
     * @param apiKey the engine's API key, or null
     */
    public CompletableFuture<int[]> tokens(JsonNode body, boolean chat, Engine engine, String apiKey) {
        ObjectNode request = mapper.createObjectNode();
        request.set("model", body.get("model"));
        if (chat) {
            for (String f : CHAT_FIELDS) {
                if (body.has(f)) request.set(f, body.get(f));
            }
        } else {
            JsonNode prompt = body.get("prompt");
            if (prompt != null && prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isInt()) {
                int[] ids = new int[prompt.size()]; // already token ids
                for (int i = 0; i < ids.length; i++) ids[i] = prompt.get(i).asInt();
                return CompletableFuture.completedFuture(ids);
            }
            if (prompt == null || !prompt.isTextual()) return CompletableFuture.completedFuture(null);
            request.set("prompt", prompt);
            if (body.has("add_special_tokens")) request.set("add_special_tokens", body.get("add_special_tokens"));
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(request);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return CompletableFuture.completedFuture(null);
        }
        String key = key(json);
        int[] cached = cache.getIfPresent(key);
        if (cached != null) {
            hits.incrementAndGet();
            return CompletableFuture.completedFuture(cached);
        }
        calls.incrementAndGet();
        HttpRequest.Builder http = HttpRequest.newBuilder(engine.endpoint("/tokenize"))
                .timeout(timeout.multipliedBy(20)) // the late answer may still fill the cache
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (apiKey != null) http.header("Authorization", "Bearer " + apiKey);
        CompletableFuture<int[]> answer = client.sendAsync(http.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> parse(r, key))
                .exceptionally(e -> {
                    failures.incrementAndGet();
                    return null;
                });
        CompletableFuture<int[]> inTime = answer.copy().completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS);
        inTime.thenAccept(ids -> { if (ids == null && !answer.isDone()) late.incrementAndGet(); });
        return inTime;
    }

    private int[] parse(HttpResponse<byte[]> r, String key) {
        if (r.statusCode() != 200) {
            failures.incrementAndGet();
            return null;
        }
        try {
            JsonNode tokens = mapper.readTree(r.body()).get("tokens");
            if (tokens == null || !tokens.isArray()) {
                failures.incrementAndGet();
                return null;
            }
            int[] ids = new int[tokens.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).asInt();
            cache.put(key, ids);
            return ids;
        } catch (java.io.IOException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    /** Two independent 64-bit hashes of the tokenize body and its length: a collision costs one misplacement. */
    private static String key(byte[] json) {
        long a = 0xcbf29ce484222325L, b = 0x84222325cbf29ce4L;
        for (byte x : json) {
            a = (a ^ (x & 0xff)) * 0x100000001b3L;
            b = (b + (x & 0xff)) * 0x9E3779B97F4A7C15L;
        }
        return Long.toHexString(a) + Long.toHexString(b) + json.length;
    }

    public long cacheHits() { return hits.get(); }
    public long calls() { return calls.get(); }
    /** Answers that came after the deadline (the request was placed approximately). */
    public long late() { return late.get(); }
    public long failures() { return failures.get(); }
}
