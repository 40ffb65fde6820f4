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
    void cachedTokensAreWholeBlocksAndNeverTheLastPromptToken() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] prompt = tokens(1, 32);
        long[] h = cache.blockHashes(prompt, null);
        PrefixCache.Allocation first = cache.allocate(h, 32, 40);
        assertThat(first.cachedTokens()).isZero();
        cache.release(first);
        PrefixCache.Allocation second = cache.allocate(h, 32, 40);
        assertThat(second.cachedTokens()).as("both blocks cached but the last token is recomputed").isEqualTo(16);
        cache.release(second);
        int[] longer = tokens(1, 33);
        PrefixCache.Allocation third = cache.allocate(cache.blockHashes(longer, null), 33, 40);
        assertThat(third.cachedTokens()).isEqualTo(32);
    }

    @Test
    void evictsLeastRecentlyReleasedBlocksFirst() {
        PrefixCache cache = new PrefixCache(4, 16);
        long[] a = cache.blockHashes(tokens(100, 32), null);
        long[] b = cache.blockHashes(tokens(200, 32), null);
        long[] c = cache.blockHashes(tokens(300, 32), null);
        cache.release(cache.allocate(a, 32, 32));
        cache.release(cache.allocate(b, 32, 32));
        // Touch a again so b is now the least recently used.
        cache.release(cache.allocate(a, 32, 32));
        cache.release(cache.allocate(c, 32, 32));
        assertThat(cache.cachedPrefixBlocks(a)).isEqualTo(2);
        assertThat(cache.cachedPrefixBlocks(b)).isZero();
        assertThat(cache.cachedPrefixBlocks(c)).isEqualTo(2);
        assertThat(cache.evictions()).isEqualTo(2);
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
        cache.release(running);
        assertThat(cache.usage()).isZero();
        PrefixCache.Allocation now = cache.allocate(b, 48, 48);
        assertThat(now).isNotNull();
        assertThat(cache.cachedPrefixBlocks(a)).as("one of a's blocks had to go").isLessThan(2);
    }

    @Test
    void outputBlocksArePrivateAndFreedOnRelease() {
        PrefixCache cache = new PrefixCache(8, 16);
        long[] h = cache.blockHashes(tokens(1, 20), null);
        PrefixCache.Allocation a = cache.allocate(h, 20, 100);   // 7 blocks: 1 shared + 6 private
        assertThat(cache.usedBlocks()).isEqualTo(7);
        cache.release(a);
        assertThat(cache.usedBlocks()).isZero();
        assertThat(cache.cachedBlocks()).isEqualTo(1);
    }

    @Test
    void cacheSaltIsolatesFromUnsaltedAndOtherSalts() {
        PrefixCache cache = new PrefixCache(64, 16);
        int[] prompt = tokens(1, 64);
        long[] plain = cache.blockHashes(prompt, null);
        long[] salted = cache.blockHashes(prompt, "tenant-a");
        long[] otherSalt = cache.blockHashes(prompt, "tenant-b");
        cache.release(cache.allocate(plain, 64, 64));
        assertThat(cache.cachedPrefixBlocks(salted)).isZero();
        cache.release(cache.allocate(salted, 64, 64));
        assertThat(cache.cachedPrefixBlocks(salted)).isEqualTo(4);
        assertThat(cache.cachedPrefixBlocks(otherSalt)).isZero();
    }
}
