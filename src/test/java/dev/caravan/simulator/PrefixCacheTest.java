package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrefixCacheTest {

    private static int[] tokens(int start, int count) {
        int[] t = new int[count];
        for (int i = 0; i < count; i++) {
            t[i] = start + i;
        }
        return t;
    }

    /** A request that runs and ends without its output filling a block. */
    private static PrefixCache.Allocation serve(PrefixCache cache, long[] hashes, int prompt, int total) {
        PrefixCache.Allocation a = cache.allocate(hashes, prompt, total);
        cache.release(a, hashes);
        return a;
    }

    @Test
    void chainedHashesShareOnlyTheCommonPrefix() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] a = tokens(1000, 48);
        int[] b = a.clone();
        b[20] = 7;   // differs in the second block
        long[] ha = cache.blockHashes(a, null);
        long[] hb = cache.blockHashes(b, null);
        assertThat(ha).hasSize(3);
        assertThat(hb[0]).isEqualTo(ha[0]);
        assertThat(hb[1]).isNotEqualTo(ha[1]);
        assertThat(hb[2]).as("a later equal block is still different: the chain differs").isNotEqualTo(ha[2]);
    }

    @Test
    void extendingHashesEqualsHashingTheWholeSequence() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] prompt = tokens(1, 40);
        int[] output = tokens(500, 30);
        int[] all = new int[70];
        System.arraycopy(prompt, 0, all, 0, 40);
        System.arraycopy(output, 0, all, 40, 30);
        long[] extended = cache.extendHashes(cache.blockHashes(prompt, "s"), prompt, output, 30, "s");
        assertThat(extended).isEqualTo(cache.blockHashes(all, "s")).hasSize(4);
    }

    @Test
    void cachedTokensAreWholeBlocksAndNeverTheLastPromptToken() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] prompt = tokens(1, 32);
        long[] h = cache.blockHashes(prompt, null);
        assertThat(serve(cache, h, 32, 40).cachedTokens()).isZero();
        assertThat(serve(cache, h, 32, 40).cachedTokens()).as("both blocks cached but the last token is recomputed").isEqualTo(16);
        int[] longer = tokens(1, 33);
        assertThat(serve(cache, cache.blockHashes(longer, null), 33, 40).cachedTokens()).isEqualTo(32);
    }

    @Test
    void evictsLeastRecentlyReleasedBlocksFirst() {
        PrefixCache cache = new PrefixCache(4, 16);
        long[] a = cache.blockHashes(tokens(100, 32), null);
        long[] b = cache.blockHashes(tokens(200, 32), null);
        long[] c = cache.blockHashes(tokens(300, 32), null);
        serve(cache, a, 32, 32);
        serve(cache, b, 32, 32);
        // Touch a again so b is now the least recently used.
        serve(cache, a, 32, 32);
        serve(cache, c, 32, 32);
        assertThat(cache.cachedPrefixBlocks(a)).isEqualTo(2);
        assertThat(cache.cachedPrefixBlocks(b)).isZero();
        assertThat(cache.cachedPrefixBlocks(c)).isEqualTo(2);
        assertThat(cache.evictions()).isEqualTo(2);
    }

    @Test
    void aRequestsTailIsEvictedBeforeItsHead() {
        PrefixCache cache = new PrefixCache(6, 16);
        long[] a = cache.blockHashes(tokens(100, 64), null);
        long[] b = cache.blockHashes(tokens(200, 64), null);
        serve(cache, a, 64, 64);
        serve(cache, b, 64, 64);          // 2 free + 2 of a's blocks evicted
        assertThat(cache.cachedPrefixBlocks(a)).as("a keeps its first two blocks").isEqualTo(2);
        assertThat(serve(cache, a, 64, 64).cachedTokens()).isEqualTo(32);
    }

    @Test
    void pinnedBlocksAreNeverEvictedAndAdmissionWaitsInstead() {
        PrefixCache cache = new PrefixCache(4, 16);
        long[] a = cache.blockHashes(tokens(100, 32), null);
        long[] b = cache.blockHashes(tokens(200, 48), null);
        PrefixCache.Allocation running = cache.allocate(a, 32, 32);
        assertThat(cache.usage()).isEqualTo(0.5);
        assertThat(cache.allocate(b, 48, 48)).as("3 blocks needed, only 2 free").isNull();
        assertThat(cache.cachedPrefixBlocks(a)).isEqualTo(2);
        cache.release(running, a);
        assertThat(cache.usage()).isZero();
        assertThat(cache.allocate(b, 48, 48)).isNotNull();
        assertThat(cache.cachedPrefixBlocks(a)).as("one of a's blocks had to go").isLessThan(2);
    }

    @Test
    void outputBlocksArePrivateWhileRunningAndCachedWhenFilled() {
        PrefixCache cache = new PrefixCache(8, 16);
        int[] prompt = tokens(1, 20);
        int[] output = tokens(900, 80);
        long[] h = cache.blockHashes(prompt, null);
        PrefixCache.Allocation a = cache.allocate(h, 20, 100);   // 7 blocks: 1 shared + 6 private
        assertThat(cache.usedBlocks()).isEqualTo(7);
        cache.release(a, cache.extendHashes(h, prompt, output, 80, null));
        assertThat(cache.usedBlocks()).isZero();
        assertThat(cache.cachedBlocks()).as("100 tokens fill 6 blocks; the partial 7th is freed").isEqualTo(6);

        // The next turn (prompt + answer + more) finds the answer's blocks cached too.
        int[] nextTurn = new int[110];
        System.arraycopy(prompt, 0, nextTurn, 0, 20);
        System.arraycopy(output, 0, nextTurn, 20, 80);
        long[] next = cache.blockHashes(nextTurn, null);
        assertThat(cache.cachedPrefixBlocks(next)).isEqualTo(6);
    }

    @Test
    void cacheSaltIsolatesFromUnsaltedAndOtherSalts() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] prompt = tokens(1, 64);
        long[] plain = cache.blockHashes(prompt, null);
        long[] salted = cache.blockHashes(prompt, "tenant-a");
        long[] otherSalt = cache.blockHashes(prompt, "tenant-b");
        serve(cache, plain, 64, 64);
        assertThat(cache.cachedPrefixBlocks(salted)).isZero();
        serve(cache, salted, 64, 64);
        assertThat(cache.cachedPrefixBlocks(salted)).isEqualTo(4);
        assertThat(cache.cachedPrefixBlocks(otherSalt)).isZero();
    }
}
