package dev.caravan.bench.routing;

/**
 * Deterministic filler text with a known token count under the simulator's tokenizer: every token is
 * a space followed by 2..8 lowercase letters (one token each, see {@code SimulatedTokenizer}). The
 * same key always gives the same text, different keys give text that shares no block.
 */
public final class SyntheticText {

    private SyntheticText() {}

    /** {@code tokens} tokens of text for {@code key}. */
    public static String of(String key, int tokens) {
        long s = mix(key.hashCode() * 0x9E3779B97F4A7C15L ^ key.length());
        for (int i = 0; i < key.length(); i++) s = mix(s ^ key.charAt(i));
        StringBuilder sb = new StringBuilder(tokens * 7);
        for (int t = 0; t < tokens; t++) {
            s = mix(s + 0x9E3779B97F4A7C15L);
            int len = 2 + (int) ((s >>> 59) % 7);
            sb.append(' ');
            long bits = s;
            for (int c = 0; c < len; c++) {
                sb.append((char) ('a' + (int) Long.remainderUnsigned(bits, 26)));
                bits = Long.divideUnsigned(bits, 26);
            }
        }
        return sb.toString();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
