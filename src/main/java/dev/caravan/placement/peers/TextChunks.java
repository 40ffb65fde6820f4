package dev.caravan.placement.peers;

/**
 * Hashes of fixed-size character chunks of a prompt, as the peer routers compute them on request
 * text (none of them tokenizes). Deterministic 64-bit FNV-1a with a SplitMix64 finaliser; the peers
 * use xxhash64, which only differs in speed and in which strings collide, not in what is matched.
 */
final class TextChunks {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private TextChunks() {}

    /** Full chunks of {@code text}, at most {@code max}. */
    static int count(CharSequence text, int chunkChars, int max) {
        return text == null ? 0 : Math.min(text.length() / chunkChars, max);
    }

    /**
     * Hash of chunk {@code b} chained onto {@code parent}: one value stands for the whole prefix up
     * to and including the chunk, which is what a path in a trie (production-stack) or a chained block
     * hash (llm-d) identifies.
     */
    static long chained(long parent, CharSequence text, int b, int chunkChars) {
        long h = parent ^ FNV_OFFSET;
        for (int i = b * chunkChars, end = i + chunkChars; i < end; i++) {
            h ^= text.charAt(i);
            h *= FNV_PRIME;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** Chained hashes of the first {@code n} chunks. */
    static long[] chainedHashes(CharSequence text, int chunkChars, int n) {
        long[] out = new long[n];
        long h = 0;
        for (int b = 0; b < n; b++) {
            h = chained(h, text, b, chunkChars);
            out[b] = h;
        }
        return out;
    }
}
