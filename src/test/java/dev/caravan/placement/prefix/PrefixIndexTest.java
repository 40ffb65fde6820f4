package dev.caravan.placement.prefix;

import static dev.caravan.fixtures.Engines.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.engines.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixIndexTest {

    @Test
    void longestMatchPerEngine() {
        PrefixIndex idx = new PrefixIndex(4, 1000, 100);
        List<Engine> es = engines(3);
        String a = "AAAABBBBCCCCDDDD";          // 4 blocks
        idx.record(a, es.get(0));
        idx.record("AAAABBBBxxxxyyyy", es.get(1)); // shares 2 blocks with a
        int[] out = new int[3];
        assertThat(idx.match(a + "tail", es, out)).isEqualTo(5);
        assertThat(out).containsExactly(4, 2, 0);
        // chained: the same block after a different prefix does not match
        assertThat(idx.matchedBlocks("ZZZZBBBBCCCC", es.get(0))).isZero();
        // partial tail blocks are not indexed
        assertThat(idx.blocks("AAAABB")).isEqualTo(1);
        assertThat(idx.matchedBlocks("AAA", es.get(0))).isZero();
    }

    @Test
    void boundedWithLeastRecentlyUsedEviction() {
        PrefixIndex idx = new PrefixIndex(4, 8, 100);
        Engine e = engine("e0");
        idx.record("aaaabbbb", e);   // 2 entries
        idx.record("ccccdddd", e);   // 4
        idx.record("eeeeffff", e);   // 6
        idx.record("aaaabbbb", e);   // touch the oldest: now most recent
        idx.record("gggghhhh", e);   // 8
        idx.record("iiiijjjj", e);   // evicts the least recently used: ccccdddd
        assertThat(idx.size()).isEqualTo(8);
        assertThat(idx.evictions()).isEqualTo(2);
        assertThat(idx.matchedBlocks("aaaabbbb", e)).isEqualTo(2);
        assertThat(idx.matchedBlocks("ccccdddd", e)).isZero();
        assertThat(idx.matchedBlocks("eeeeffff", e)).isEqualTo(2);
        assertThat(idx.matchedBlocks("iiiijjjj", e)).isEqualTo(2);
        for (int i = 0; i < 1000; i++) idx.record("k" + (1000 + i) + "xxxyyyy", e);
        assertThat(idx.size()).isEqualTo(8);
        assertThat(idx.capacity()).isEqualTo(8);
    }

    @Test
    void stripedIndexStaysWithinBudgetAndFindsRecentPrefixes() {
        PrefixIndex idx = new PrefixIndex(8, 100_000, 64);
        List<Engine> es = engines(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300_000 / 8; i++) {
            sb.setLength(0);
            sb.append("prompt-").append(i).append('-').append("abcdefghijklmnopqrstuvwxyz");
            idx.record(sb, es.get(i % 4));
        }
        assertThat(idx.size()).isLessThanOrEqualTo(idx.capacity());
        assertThat(idx.capacity()).isBetween(100_000L, 100_016L);
        int last = 300_000 / 8 - 1;
        String recent = "prompt-" + last + "-abcdefghijklmnopqrstuvwxyz";
        assertThat(idx.matchedBlocks(recent, es.get(last % 4))).isEqualTo(idx.blocks(recent));
        assertThat(idx.matchedBlocks("prompt-0-abcdefghijklmnopqrstuvwxyz", es.get(0))).isZero();
    }
}
