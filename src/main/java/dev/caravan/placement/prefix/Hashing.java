package dev.caravan.placement.prefix;

/**
 * Deterministic 64-bit hashing shared by rendezvous hashing and the prefix index.
 *
 * <p>Deliberately not {@link String#hashCode()} alone (32 bits, poor avalanche) and not a seeded or
 * per-JVM hash: two gateway replicas must compute the same values for the same strings so that they
 * agree on a workflow's home without talking to each other.
 */
public final class Hashing {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {}

    /** SplitMix64 finaliser: full avalanche, so combined hashes behave like independent random values. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a over UTF-16 code units, finalised with {@link #mix}. */
    public static long hash(CharSequence s) {
        return hash(FNV_OFFSET, s, 0, s.length());
    }

    /**
     * Hash of {@code s[from, to)} chained onto {@code seed}; the prefix index feeds the previous
     * block's hash as seed so one value identifies the whole prefix up to this block.
     */
    public static long hash(long seed, CharSequence s, int from, int to) {
        long h = seed ^ FNV_OFFSET;
        for (int i = from; i < to; i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /** Rendezvous weight of (key, engine): both already hashed. */
    public static long weight(long keyHash, long engineHash) {
        return mix(keyHash ^ engineHash);
    }
}
