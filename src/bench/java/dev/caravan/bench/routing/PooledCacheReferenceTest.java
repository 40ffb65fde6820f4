package dev.caravan.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The pooled-cache reference replays in order through one LRU cache: a prompt that comes back after
 * another has pushed most of it out hits only on what is left, one that still fits hits whole, and the
 * infinite-cache bound counts both.
 */
class PooledCacheReferenceTest {

    private static final int BLOCK = 16;
    private static final String A = SyntheticText.of("reference-a", 600);
    private static final String B = SyntheticText.of("reference-b", 600);

    /** A, B, A in this order, each call after the one before. */
    private static final class ABA implements Workload {
        @Override public String name() { return "aba"; }
        @Override public Map<String, Object> parameters() { return Map.of(); }
        @Override public int expectedCalls() { return 3; }
        @Override public boolean workflow() { return false; }
        @Override public boolean replaysTrace() { return true; }

        @Override
        public CompletableFuture<Void> run(Driver d) {
            List<CompletableFuture<?>> all = new ArrayList<>();
            int i = 0;
            for (String prompt : List.of(A, B, A)) {
                String id = "call-" + i++;
                all.add(d.at(0, () -> d.call(new ChatCall(null, id, List.of(new ChatCall.Message("user", prompt)), 1, null))));
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }
    }

    @Test
    void aPromptMostlyPushedOutHitsOnItsHeadOnlyAndOneThatFitsHitsWhole() throws Exception {
        Map<String, String> options = Map.of("max-model-len", "4096");
        // ~600 tokens per prompt = ~38 blocks: 50 blocks hold one prompt, 200 hold both. With 50, B
        // evicts A's tail first (as vLLM frees a request's blocks tail first), so A's return finds only
        // its first dozen blocks.
        double small = PooledCacheReference.hitRate(new ABA(), BLOCK, 50, options);
        double large = PooledCacheReference.hitRate(new ABA(), BLOCK, 200, options);
        double bound = PrefixBound.hitRate(new ABA(), BLOCK);
        assertThat(large).as("A was still cached").isGreaterThan(0.25).isCloseTo(bound, Offset.offset(0.02));
        assertThat(small).as("B evicted most of A before A came back").isGreaterThan(0).isLessThan(large / 2);
    }
}
