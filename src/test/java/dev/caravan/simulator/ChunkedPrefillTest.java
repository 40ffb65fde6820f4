package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunked-prefill step loop on the scheduler alone. TTFT and ITL are read from the engine's
 * histograms, which record due times, so a late wake-up of the test's thread changes nothing;
 * only the engine's own first wake-up for a request adds a little, hence the one-sided margins.
 */
class ChunkedPrefillTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> firstTokens = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> firstTokenAt = new ConcurrentHashMap<>();

    /** ITL 20 ms, 1 ms per prefill token, budget 50: a full prefill step of one sequence lasts 70 ms. */
    private static SimulatorConfig.Builder chunked() {
        return SimulatorConfig.builder().latencyProfile(LatencyProfile.CHUNKED_PREFILL).jitterFraction(0).loadFactor(1)
                .maxRunning(4).maxNumBatchedTokens(50).interTokenLatencyMs(20).prefillPerTokenMs(1).prefillOverheadMs(10);
    }

    private SimulatedSequence sequence(PrefixCache cache, String name, int promptTokens, int outputTokens) {
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = name.hashCode() * 31 + i;
        }
        return new SimulatedSequence(prompt, new int[outputTokens], null, cache.blockHashes(prompt, null), "length", 0,
                new TokenSink() {
                    @Override
                    public void tokensAvailable(int available) {
                        if (available == 1) {
                            firstTokens.add(name);
                            firstTokenAt.put(name, System.nanoTime());
                        }
                    }

                    @Override
                    public void finished(String finishReason, int cachedTokens) {
                    }
                });
    }

    private record Engine(EngineScheduler scheduler, PrefixCache cache, SimulatorStats stats) implements AutoCloseable {
        static Engine start(SimulatorConfig config) {
            PrefixCache cache = new PrefixCache(config.kvCacheBlocks(), config.blockSize());
            SimulatorStats stats = new SimulatorStats();
            EngineScheduler scheduler = new EngineScheduler(config, cache, stats, "test-engine");
            stats.attach(scheduler);
            return new Engine(scheduler, cache, stats);
        }

        @Override
        public void close() {
            scheduler.close();
        }
    }

    @Test
    void aPromptOfThreeBudgetsTakesThreeSteps() throws Exception {
        try (Engine e = Engine.start(chunked().build())) {
            e.scheduler.submit(sequence(e.cache, "long", 150, 1));
            SimHttp.awaitTrue(() -> e.stats.requestsCompleted() == 1, WAIT);
            double ttftMs = e.stats.timeToFirstToken.sum() * 1000;
            // 10 ms overhead + 3 steps of (20 + 50 x 1) ms; a fourth step would be 70 ms more.
            assertThat(ttftMs).isBetween(220.0, 280.0);
        }
    }

    @Test
    void decodesBesideALongPrefillGetSlowerTokens() throws Exception {
        SimulatorConfig config = chunked().prefillPerTokenMs(0.5).interTokenLatencyMs(10).build();
        double alone = meanItlMs(config, false);
        double besidePrefill = meanItlMs(config, true);
        // Alone: 10 ms a token. Beside it: ~11 of 29 steps also carry a 49-token chunk, 34.5 ms each.
        assertThat(alone).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(besidePrefill).isGreaterThan(1.3 * alone);
    }

    /** Mean ITL of a 30-token decode, with or without a 500-token prompt arriving after its 5th token. */
    private double meanItlMs(SimulatorConfig config, boolean withLongPrefill) throws Exception {
        firstTokens.clear();
        try (Engine e = Engine.start(config)) {
            e.scheduler.submit(sequence(e.cache, "decode", 8, 30));
            if (withLongPrefill) {
                SimHttp.awaitTrue(() -> e.stats.generationTokens() >= 5, WAIT);
                e.scheduler.submit(sequence(e.cache, "long", 500, 1)); // one token: it adds no ITL of its own
            }
            SimHttp.awaitTrue(() -> e.stats.requestsCompleted() == (withLongPrefill ? 2 : 1), WAIT);
            if (withLongPrefill) {
                assertThat(firstTokens).as("the long prompt was done before the decode ended").containsExactly("decode", "long");
            }
            return e.stats.interTokenLatency.sum() * 1000 / e.stats.interTokenLatency.count();
        }
    }

    @Test
    void aPrefillWaitsWhileTheBudgetIsTaken() throws Exception {
        try (Engine e = Engine.start(chunked().build())) {
            long submitted = System.nanoTime();
            e.scheduler.submit(sequence(e.cache, "long", 100, 1));
            e.scheduler.submit(sequence(e.cache, "short", 5, 1));
            SimHttp.awaitTrue(() -> e.stats.requestsCompleted() == 2, WAIT);
            // The long prompt fills the budget of two steps; the short one goes in the third.
            assertThat(firstTokens).containsExactly("long", "short");
            double shortTtftMs = (firstTokenAt.get("short") - submitted) / 1e6;
            assertThat(shortTtftMs).isGreaterThanOrEqualTo(10 + 70 + 70 + 20 + 5);
        }
    }

    @Test
    void withoutPrefillAChunkedEngineDecodesAtTheLinearRate() throws Exception {
        SimulatorConfig config = chunked().loadFactor(2).build();
        try (Engine e = Engine.start(config)) {
            for (int i = 0; i < 4; i++) {
                e.scheduler.submit(sequence(e.cache, "d" + i, 4, 10));
            }
            SimHttp.awaitTrue(() -> e.stats.requestsCompleted() == 4, WAIT);
            // Once all four prefills are in, every step is 4 decodes at linear's stretch(4) = 2: 40 ms.
            double meanItlMs = e.stats.interTokenLatency.sum() * 1000 / e.stats.interTokenLatency.count();
            assertThat(meanItlMs).isBetween(39.0, 40.01);
        }
    }
}
