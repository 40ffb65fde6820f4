package dev.caravan.placement.prefix;

import static dev.caravan.fixtures.Engines.engine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.engines.Engine;
import dev.caravan.fixtures.Engines;
import dev.caravan.placement.policy.LoadScore;
import dev.caravan.placement.policy.PrefixAwarePlacement;
import dev.caravan.placement.policy.RendezvousHome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The index forgets, per engine, the prefixes that engine's KV cache has probably evicted. Blocks of 4
 * characters and 4 characters per token (not learned) make one token one index block here.
 */
class PrefixIndexCapacityTest {

    private static PrefixIndex index(int maxBlocks) {
        return new PrefixIndex(4, 1000, maxBlocks, new CharsPerToken(4.0, false), true);
    }

    @Test
    void smallCacheForgetsOldPrefixesLargeCacheKeepsThem() {
        PrefixIndex idx = index(100);
        Engine small = engine("small", 4);   // 4 blocks
        Engine large = engine("large", 1000);
        for (String p : List.of("aaaabbbb", "ccccdddd", "eeeeffff")) {
            idx.record(p, small);
            idx.record(p, large);
        }
        assertThat(idx.capacityBlocks(small)).isEqualTo(4);
        assertThat(idx.residentBlocks(small)).isEqualTo(4);
        assertThat(idx.matchedBlocks("aaaabbbb", small)).isZero();
        assertThat(idx.matchedBlocks("aaaabbbb", large)).isEqualTo(2);
        assertThat(idx.matchedBlocks("ccccdddd", small)).isEqualTo(2);
        assertThat(idx.matchedBlocks("eeeeffff", small)).isEqualTo(2);
        assertThat(idx.forgotten()).isEqualTo(2);

        int[] out = new int[2];
        idx.match("aaaabbbbzzzz", List.of(small, large), out);
        assertThat(out).containsExactly(0, 2);
    }

    @Test
    void leastRecentlyUsedGoesFirst() {
        PrefixIndex idx = index(100);
        Engine e = engine("e", 6);
        idx.record("aaaabbbb", e);
        idx.record("ccccdddd", e);
        idx.record("eeeeffff", e);
        idx.record("aaaabbbb", e);   // used again: now the most recent
        idx.record("gggghhhh", e);   // pushes out ccccdddd, the least recently used
        assertThat(idx.matchedBlocks("aaaabbbb", e)).isEqualTo(2);
        assertThat(idx.matchedBlocks("ccccdddd", e)).isZero();
        assertThat(idx.matchedBlocks("eeeeffff", e)).isEqualTo(2);
        assertThat(idx.matchedBlocks("gggghhhh", e)).isEqualTo(2);
    }

    @Test
    void aPromptsTailGoesBeforeItsHead() {
        PrefixIndex idx = index(100);
        Engine e = engine("e", 5);
        idx.record("HHHHaaaabbbb", e);   // 3 blocks, head most recent
        idx.record("xxxxyyyy", e);       // 2 more: full
        idx.record("zzzz", e);           // 1 more: the oldest block is the first prompt's last
        assertThat(idx.matchedBlocks("HHHHaaaabbbb", e)).isEqualTo(2);
        idx.record("wwww", e);
        assertThat(idx.matchedBlocks("HHHHaaaabbbb", e)).isEqualTo(1);

        // A prompt longer than the whole cache keeps its head, as vLLM would its first blocks.
        idx.record("0000111122223333444455556666", e);
        assertThat(idx.matchedBlocks("0000111122223333444455556666", e)).isEqualTo(5);
        assertThat(idx.matchedBlocks("HHHHaaaabbbb", e)).isZero();
        assertThat(idx.residentBlocks(e)).isEqualTo(5);
    }

    @Test
    void theUnindexedTailOfALongPromptTakesRoomToo() {
        PrefixIndex idx = index(2);     // only 2 blocks of a prompt are indexed
        Engine e = engine("e", 10);
        String p1 = "aaaabbbb" + "t".repeat(24);   // 2 indexed + 6 tail blocks = 8
        String p2 = "ccccdddd" + "u".repeat(24);
        String p3 = "eeeeffff" + "v".repeat(24);
        idx.record(p1, e);
        assertThat(idx.residentBlocks(e)).isEqualTo(8);
        idx.record(p2, e);              // 16 > 10: 6 blocks of p1's tail go, its indexed blocks stay
        assertThat(idx.residentBlocks(e)).isEqualTo(10);
        assertThat(idx.matchedBlocks(p1, e)).isEqualTo(2);
        idx.record(p3, e);              // p1 goes entirely, then 6 blocks of p2's tail
        assertThat(idx.residentBlocks(e)).isEqualTo(10);
        assertThat(idx.matchedBlocks(p1, e)).isZero();
        assertThat(idx.matchedBlocks(p2, e)).isEqualTo(2);
        assertThat(idx.matchedBlocks(p3, e)).isEqualTo(2);

        // Sent again, the same long prompt is cached once, not twice.
        idx.record(p3, e);
        assertThat(idx.residentBlocks(e)).isEqualTo(10);
        assertThat(idx.matchedBlocks(p2, e)).isEqualTo(2);
    }

    @Test
    void engineOfUnknownCapacityBehavesAsBefore() {
        PrefixIndex idx = index(100);
        Engine unknown = engine("unknown");
        for (int i = 0; i < 100; i++) idx.record("p" + (100 + i) + "x", unknown);
        assertThat(idx.matchedBlocks("p100x", unknown)).isEqualTo(1);
        assertThat(idx.residentBlocks(unknown)).isZero();
        assertThat(idx.forgotten()).isZero();

        PrefixIndex unaware = new PrefixIndex(4, 1000, 100, new CharsPerToken(4.0, false), false);
        Engine small = engine("small", 2);
        for (int i = 0; i < 100; i++) unaware.record("p" + (100 + i) + "x", small);
        assertThat(unaware.capacityBlocks(small)).isZero();
        assertThat(unaware.matchedBlocks("p100x", small)).isEqualTo(1);
    }

    @Test
    void anEntryNoEngineHoldsLeavesTheIndex() {
        PrefixIndex idx = index(100);
        Engine a = engine("a", 4);
        Engine b = engine("b", 4);
        idx.record("aaaabbbb", a);
        idx.record("aaaabbbb", b);
        assertThat(idx.size()).isEqualTo(2);
        idx.record("ccccdddd", a);
        idx.record("eeeeffff", a);   // a forgets aaaabbbb, b still holds it
        assertThat(idx.size()).isEqualTo(6);
        assertThat(idx.matchedBlocks("aaaabbbb", b)).isEqualTo(2);
        idx.record("ccccdddd", b);
        idx.record("eeeeffff", b);   // now nobody does
        assertThat(idx.size()).isEqualTo(4);
        assertThat(idx.matchedBlocks("aaaabbbb", a)).isZero();
        assertThat(idx.matchedBlocks("aaaabbbb", b)).isZero();
        for (int i = 0; i < 1000; i++) idx.record("q" + (1000 + i) + "yyyy", a);
        assertThat(idx.size()).as("only what a or b holds").isLessThanOrEqualTo(8);
        assertThat(idx.evictions()).as("the budget was never the limit").isZero();
    }

    @Test
    void saltedPromptsTakeRoomButMatchNothing() {
        PrefixIndex idx = index(100);
        Engine e = engine("e", 4);
        idx.record("aaaabbbb", e);
        idx.recordIsolated("aaaabbbb", e, "wf-1");   // same text, other cache: 2 more blocks
        assertThat(idx.residentBlocks(e)).isEqualTo(4);
        assertThat(idx.size()).isEqualTo(2);
        idx.recordIsolated("ccccdddd", e, "wf-1");   // pushes out the shared prompt
        assertThat(idx.matchedBlocks("aaaabbbb", e)).isZero();
        assertThat(idx.matchedBlocks("ccccdddd", e)).isZero();
        assertThat(idx.size()).isZero();
    }

    @Test
    void capacityInBlocksFollowsTheLearnedCharactersPerToken() {
        CharsPerToken ratio = new CharsPerToken(4.0, true);
        PrefixIndex idx = new PrefixIndex(128, 1 << 20, 256, ratio, true);
        Engine e = engine("e", 8192 * 16);
        assertThat(idx.capacityBlocks(e)).isEqualTo(8192 * 16 * 4 / 128);
        ratio.learn(e, 58_000, 10_000);   // 5.8 characters per token
        assertThat(idx.capacityBlocks(e)).isEqualTo((long) (8192 * 16 * 5.8 / 128));
        // never above the entry budget
        PrefixIndex tiny = new PrefixIndex(128, 100, 256, ratio, true);
        assertThat(tiny.capacityBlocks(e)).isEqualTo(100);
    }

    @Test
    void aForgottenPrefixNoLongerAttractsPlacement() {
        for (boolean aware : new boolean[] {true, false}) {
            PrefixIndex idx = new PrefixIndex(4, 1000, 100, new CharsPerToken(4.0, false), aware);
            PrefixAwarePlacement policy = new PrefixAwarePlacement(idx, new LoadScore(1, 2, 1, 1.5, 0.5, 64),
                    new RendezvousHome(0.25, 4), null);
            Engine a = engine("a", 8);
            Engine b = engine("b", 8);
            List<Engine> both = List.of(a, b);
            String system = "SYSTEM-PROMPT-16";
            policy.onRouted(Engines.plain("r0", system + "question"), a);
            PlacementDecision d = policy.place(Engines.plain("r1", system + "other"), both);
            assertThat(d.engine()).isSameAs(a);
            assertThat(d.reason()).isEqualTo(PlacementReason.PREFIX);

            // a serves two long unrelated prompts: its 8-block cache no longer holds the system prompt
            policy.onRouted(Engines.plain("r2", "x".repeat(4) + "0123456789abcdef"), a);
            policy.onRouted(Engines.plain("r3", "y".repeat(4) + "0123456789abcdef"), a);
            d = policy.place(Engines.plain("r4", system + "again"), both);
            assertThat(d.reason()).as("capacity-aware " + aware)
                    .isEqualTo(aware ? PlacementReason.LEAST_LOADED : PlacementReason.PREFIX);
        }
    }

    @Test
    void concurrentRecordsKeepEveryEngineWithinItsCapacity() throws Exception {
        PrefixIndex idx = new PrefixIndex(8, 20_000, 64, new CharsPerToken(4.0, false), true);
        List<Engine> es = List.of(engine("a", 50), engine("b", 400), engine("c", 3000), engine("d"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 5_000; i++) {
                        sb.setLength(0);
                        sb.append("shared-system-prompt-").append(i % 7).append(':');
                        for (int k = 0; k < (i % 13); k++) sb.append("block-").append(thread).append(i % 50);
                        Engine e = es.get((i + thread) % es.size());
                        idx.record(sb, e);
                        idx.matchedBlocks(sb, e);
                    }
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        for (Engine e : es.subList(0, 3)) {
            assertThat(idx.residentBlocks(e)).isLessThanOrEqualTo(idx.capacityBlocks(e));
            // no bit outlives its block in the engine's model (the race the per-engine lock prevents)
            assertThat(idx.entriesWithBit(e)).isLessThanOrEqualTo(idx.residentEntries(e));
        }
        assertThat(idx.forgotten()).isPositive();
        assertThat(idx.size()).isLessThanOrEqualTo(idx.capacity());
        // what an engine is believed to hold, it holds in the model: spot-check the most recent prompt
        String last = "shared-system-prompt-" + (4_999 % 7) + ":";
        Engine a = es.get(0);
        idx.record(last, a);
        assertThat(idx.matchedBlocks(last, a)).isEqualTo(idx.blocks(last));
    }
}
