package dev.caravan.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Decides the text a request "generates": token {@code i} is a word drawn from a fixed vocabulary
 * by hashing the engine seed, a digest of the prompt tokens and {@code i}. Equal prompts on
 * engines with equal seeds therefore produce equal outputs, whatever else the engines served.
 */
final class SimulatedOutput {

    private static final String[] WORDS = {
        "the", "of", "and", "to", "in", "is", "that", "it", "was", "for", "on", "are", "with", "as", "be",
        "at", "by", "this", "have", "from", "or", "one", "had", "not", "but", "what", "all", "were", "when",
        "we", "there", "can", "an", "your", "which", "their", "said", "if", "do", "will", "each", "about",
        "how", "up", "out", "them", "then", "she", "many", "some", "so", "these", "would", "other", "into",
        "has", "more", "her", "two", "like", "him", "see", "time", "could", "no", "make", "than", "first",
        "been", "its", "who", "now", "people", "my", "made", "over", "did", "down", "only", "way", "find",
        "use", "may", "water", "long", "little", "very", "after", "words", "called", "just", "where", "most",
        "know", "caravan", "route", "engine", "agent", "token", "cache", "prefix", "block", "batch"
    };

    private final String[] tokens;
    private final int[] ids;
    /** Each token as a quoted JSON string, so a stream can splice it into a pre-rendered event. */
    private final byte[][] quoted;

    SimulatedOutput(SimulatedTokenizer tokenizer) {
        tokens = new String[WORDS.length];
        ids = new int[WORDS.length];
        quoted = new byte[WORDS.length][];
        for (int i = 0; i < WORDS.length; i++) {
            tokens[i] = " " + WORDS[i];
            ids[i] = tokenizer.idOf(tokens[i]);
            byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(tokens[i]);
            quoted[i] = new byte[escaped.length + 2];
            quoted[i][0] = '"';
            System.arraycopy(escaped, 0, quoted[i], 1, escaped.length);
            quoted[i][escaped.length + 1] = '"';
        }
    }

    /** The digest that, with the engine seed, fixes a request's output. */
    static long promptDigest(long seed, int[] promptTokens) {
        long h = seed * 0x9E3779B97F4A7C15L + promptTokens.length;
        for (int t : promptTokens) {
            h = (h ^ t) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    String token(long digest, int index) {
        return tokens[pick(digest, index)];
    }

    byte[] tokenJson(long digest, int index) {
        return quoted[pick(digest, index)];
    }

    /** The ids of the first {@code count} output tokens: what the KV cache holds after generating them. */
    int[] tokenIds(long digest, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = ids[pick(digest, i)];
        }
        return out;
    }

    String text(long digest, int count) {
        StringBuilder sb = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++) {
            sb.append(token(digest, i));
        }
        return sb.toString();
    }

    private int pick(long digest, int index) {
        long x = digest + (index + 1) * 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (int) Long.remainderUnsigned(x, tokens.length);
    }
}
