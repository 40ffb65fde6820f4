package dev.caravan.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.Arrays;

/**
 * Deterministic stand-in for a BPE tokenizer, chosen so that equal text prefixes give equal
 * token prefixes (which is what makes prefix caching and prefix-aware routing testable).
 *
 * <p>The rule, applied left to right:
 * <ol>
 *   <li>{@code <|name|>} (no whitespace inside, at most 64 characters) is one special token.</li>
 *   <li>A run of letters is cut into pieces of at most {@value #MAX_WORD_PIECE} characters; a run
 *       of digits into pieces of at most 3 (as Llama 3 splits numbers).</li>
 *   <li>Every other non-whitespace character is a token of its own.</li>
 *   <li>A single space directly before a letter/digit/punctuation token belongs to that token
 *       ({@code " world"}); any other whitespace run is a token of its own ({@code "\n\n"}).</li>
 * </ol>
 * Each token's id is the 64-bit FNV-1a hash of its characters folded into {@code [256, 2^31)},
 * so ids are stable across runs and machines. The mapping back from ids to text is only known for
 * tokens this instance has seen through {@link #tokenizeAndRemember(String)} or generated itself;
 * a bounded cache holds it.
 */
public final class SimulatedTokenizer {

    static final int MAX_WORD_PIECE = 8;
    private static final int MAX_DIGIT_PIECE = 3;
    private static final int MAX_SPECIAL = 64;

    private final Cache<Integer, String> knownTokens = Caffeine.newBuilder().maximumSize(200_000).build();

    /** Token ids of {@code text}. Hot path: no per-token objects. */
    public int[] tokenize(String text) {
        return scan(text, false);
    }

    /** Like {@link #tokenize(String)} but remembers each token's text for {@link #detokenize(int[])}. */
    public int[] tokenizeAndRemember(String text) {
        return scan(text, true);
    }

    /** Text of the given ids; ids never seen by this instance render as {@code <|unk_ID|>}. */
    public String detokenize(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String s = knownTokens.getIfPresent(id);
            sb.append(s != null ? s : "<|unk_" + id + "|>");
        }
        return sb.toString();
    }

    /** The id of one token's text, remembering it so it can be detokenized. */
    public int idOf(String tokenText) {
        int id = hash(tokenText, 0, tokenText.length());
        knownTokens.put(id, tokenText);
        return id;
    }

    private int[] scan(String text, boolean remember) {
        int[] out = new int[Math.max(4, text.length() / 3)];
        int n = 0;
        int len = text.length();
        int i = 0;
        while (i < len) {
            int start = i;
            char c = text.charAt(i);
            int end;
            if (Character.isWhitespace(c)) {
                int ws = i;
                while (ws < len && Character.isWhitespace(text.charAt(ws))) {
                    ws++;
                }
                boolean attachSpace = ws < len && text.charAt(ws - 1) == ' ' && !startsSpecial(text, ws);
                if (attachSpace && ws - 1 > i) {
                    end = ws - 1;                    // whitespace before the attached space
                } else if (attachSpace) {
                    end = pieceEnd(text, ws);        // " word"
                } else {
                    end = ws;                        // "\n\n" or trailing whitespace
                }
            } else if (startsSpecial(text, i)) {
                end = text.indexOf("|>", i + 2) + 2;
            } else {
                end = pieceEnd(text, i);
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            int id = hash(text, start, end);
            out[n++] = id;
            if (remember) {
                knownTokens.put(id, text.substring(start, end));
            }
            i = end;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static int pieceEnd(String text, int i) {
        int len = text.length();
        char c = text.charAt(i);
        if (Character.isLetter(c)) {
            int j = i + 1;
            while (j < len && j - i < MAX_WORD_PIECE && Character.isLetter(text.charAt(j))) {
                j++;
            }
            return j;
        }
        if (Character.isDigit(c)) {
            int j = i + 1;
            while (j < len && j - i < MAX_DIGIT_PIECE && Character.isDigit(text.charAt(j))) {
                j++;
            }
            return j;
        }
        return Character.isHighSurrogate(c) && i + 1 < len ? i + 2 : i + 1;
    }

    private static boolean startsSpecial(String text, int i) {
        if (!text.startsWith("<|", i)) {
            return false;
        }
        int close = text.indexOf("|>", i + 2);
        if (close < 0 || close + 2 - i > MAX_SPECIAL) {
            return false;
        }
        for (int k = i + 2; k < close; k++) {
            if (Character.isWhitespace(text.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int hash(String text, int start, int end) {
        long h = 0xcbf29ce484222325L;
        for (int k = start; k < end; k++) {
            h ^= text.charAt(k);
            h *= 0x100000001b3L;
        }
        long folded = (h ^ (h >>> 31)) & 0x7fffffffL;
        return (int) (256 + folded % (Integer.MAX_VALUE - 256L));
    }
}
