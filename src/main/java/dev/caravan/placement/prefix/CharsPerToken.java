package dev.caravan.placement.prefix;

import dev.caravan.engines.Engine;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many characters of the gateway's prompt text make one token of an engine, learned from the
 * engines' answers.
 *
 * <p>The gateway does not tokenize: the {@link PrefixIndex} counts characters, an engine's KV cache
 * counts tokens, and an engine's capacity in index blocks is {@code tokens x charsPerToken / blockChars}.
 * Each answer with {@code usage.prompt_tokens} teaches the ratio for the engine that gave it: prompt
 * characters (the text the index hashes, as {@code PlacementRequest.promptText} renders it) over
 * prompt tokens (which include the chat template's tokens, so the ratio folds them in too). The
 * ratio is per engine because the tokenizer belongs to the model an engine serves.
 *
 * <p>Estimate: the ratio of exponentially decayed sums of characters and of tokens, so recent answers
 * count most (about the last hundred) and long prompts, the ones that fill a cache, weigh more than
 * short ones whose template overhead skews the ratio. Until an engine has answered, the ratio learned
 * over all engines stands in for it, and before any answer the configured default (4.0 suits
 * English under Llama-3-style BPE tokenizers). Clamped to {@value #MIN}..{@value #MAX}.
 *
 * <p>Read on the request path without locks (a map lookup and a volatile read); each answer updates
 * two small synchronized accumulators, never across I/O.
 */
public final class CharsPerToken {

    static final double MIN = 0.5;
    static final double MAX = 32;
    /** Weight kept by the past at each answer: the last ~100 answers carry two thirds of it. */
    static final double DECAY = 0.99;

    private final double fallback;
    private final boolean learn;
    private final Ratio pool = new Ratio();
    private final ConcurrentHashMap<String, Ratio> byEngine = new ConcurrentHashMap<>();

    /**
     * @param fallback the ratio used until an engine has answered (e.g. 4.0)
     * @param learn    whether answers update the ratio; false keeps {@code fallback} for every engine
     */
    public CharsPerToken(double fallback, boolean learn) {
        if (!(fallback >= MIN && fallback <= MAX)) {
            throw new IllegalArgumentException("chars per token must be within " + MIN + ".." + MAX + ": " + fallback);
        }
        this.fallback = fallback;
        this.learn = learn;
    }

    /** Characters per token for {@code engine}: learned, else learned over all engines, else the default. */
    public double of(Engine engine) {
        Ratio r = byEngine.get(engine.id());
        double v = r == null ? Double.NaN : r.value;
        if (v == v) return v; // not NaN
        v = pool.value;
        return v == v ? v : fallback;
    }

    /**
     * Learns from one answer of {@code engine}: the prompt had {@code promptChars} characters of text
     * and the engine counted {@code promptTokens} tokens. Answers without usage (tokens {@code <= 0})
     * or without prompt text teach nothing.
     */
    public void learn(Engine engine, int promptChars, long promptTokens) {
        if (!learn || promptChars <= 0 || promptTokens <= 0) return;
        Ratio r = byEngine.get(engine.id());
        if (r == null) r = byEngine.computeIfAbsent(engine.id(), k -> new Ratio());
        r.add(promptChars, promptTokens);
        pool.add(promptChars, promptTokens);
    }

    public double fallback() { return fallback; }

    /** Decayed sums of characters and tokens; {@code value} is their clamped ratio, NaN before the first sample. */
    private static final class Ratio {
        private double chars;
        private double tokens;
        volatile double value = Double.NaN;

        synchronized void add(int c, long t) {
            chars = chars * DECAY + c;
            tokens = tokens * DECAY + t;
            value = Math.max(MIN, Math.min(MAX, chars / tokens));
        }
    }
}
