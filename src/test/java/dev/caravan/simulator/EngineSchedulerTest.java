package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine loop without HTTP: the order in which it finishes sequences is observed on its own
 * thread, so these tests do not depend on client timing.
 */
class EngineSchedulerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> finished = Collections.synchronizedList(new ArrayList<>());

    private SimulatedSequence sequence(PrefixCache cache, String name, int promptTokens, int outputTokens, int priority) {
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = name.hashCode() * 31 + i;
        }
        return new SimulatedSequence(prompt, new int[outputTokens], null, cache.blockHashes(prompt, null), "length", priority,
                new TokenSink() {
                    @Override
                    public void tokensAvailable(int available) {
                    }

                    @Override
                    public void finished(String finishReason, int cachedTokens) {
                        finished.add(name);
                    }
                });
    }

    private List<String> runBehindAHeldSlot(SchedulingPolicy policy, String[] names, int[] priorities) throws Exception {
        SimulatorConfig config = SimulatorConfig.builder().timeScale(0.01).jitterFraction(0).maxRunning(1)
                .schedulingPolicy(policy).build();
        PrefixCache cache = new PrefixCache(config.kvCacheBlocks(), config.blockSize());
        SimulatorStats stats = new SimulatorStats();
        try (EngineScheduler scheduler = new EngineScheduler(config, cache, stats, "test-engine")) {
            stats.attach(scheduler);
            SimulatedSequence slot = sequence(cache, "slot", 8, 100_000 / 16, 0);
            scheduler.submit(slot);
            assertThat(stats.running()).isEqualTo(1);
            for (int i = 0; i < names.length; i++) {
                scheduler.submit(sequence(cache, names[i], 8, 3, priorities[i]));
            }
            assertThat(stats.waiting()).isEqualTo(names.length);
            scheduler.abort(slot);
            SimHttp.awaitTrue(() -> finished.size() == names.length, WAIT);
            assertThat(stats.requestsAborted()).isEqualTo(1);
            return new ArrayList<>(finished);
        }
    }

    @Test
    void fcfsAdmitsInArrivalOrder() throws Exception {
        assertThat(runBehindAHeldSlot(SchedulingPolicy.FCFS, new String[] {"a", "b", "c", "d"}, new int[4]))
                .containsExactly("a", "b", "c", "d");
    }

    @Test
    void priorityAdmitsLowestValueFirstThenArrivalOrder() throws Exception {
        assertThat(runBehindAHeldSlot(SchedulingPolicy.PRIORITY, new String[] {"p5", "p1a", "p3", "p1b", "p-2"},
                new int[] {5, 1, 3, 1, -2}))
                .containsExactly("p-2", "p1a", "p1b", "p3", "p5");
    }

    @Test
    void theQueueHeadBlocksThoseBehindItUntilItsBlocksFit() throws Exception {
        // Real-time latencies: big would take over a second, so it is surely still running when checked.
        SimulatorConfig config = SimulatorConfig.builder().timeScale(1.0).jitterFraction(0).maxRunning(4)
                .kvCacheBlocks(10).maxModelLen(160).build();
        PrefixCache cache = new PrefixCache(config.kvCacheBlocks(), config.blockSize());
        SimulatorStats stats = new SimulatorStats();
        try (EngineScheduler scheduler = new EngineScheduler(config, cache, stats, "test-engine")) {
            stats.attach(scheduler);
            SimulatedSequence big = sequence(cache, "big", 16, 96, 0);           // 7 blocks
            scheduler.submit(big);
            SimulatedSequence needsSix = sequence(cache, "six", 16, 80, 0);      // 6 blocks: must wait
            SimulatedSequence small = sequence(cache, "small", 8, 8, 0);        // 1 block: would fit, but is behind
            scheduler.submit(needsSix);
            scheduler.submit(small);
            assertThat(stats.running()).isEqualTo(1);
            assertThat(stats.waiting()).isEqualTo(2);
            assertThat(stats.kvCacheUsage()).isEqualTo(0.7);
            scheduler.abort(big);
            SimHttp.awaitTrue(() -> finished.size() == 2, WAIT);
            assertThat(finished).containsExactly("small", "six");  // both admitted at once; the short one ends first
            assertThat(stats.kvCacheUsage()).isZero();
        }
    }

    @Test
    void aFullQueueRejectsWith429AndAClosedEngineWith503() {
        SimulatorConfig config = SimulatorConfig.builder().timeScale(0.01).maxRunning(1).maxWaiting(1).build();
        PrefixCache cache = new PrefixCache(config.kvCacheBlocks(), config.blockSize());
        SimulatorStats stats = new SimulatorStats();
        EngineScheduler scheduler = new EngineScheduler(config, cache, stats, "test-engine");
        stats.attach(scheduler);
        scheduler.submit(sequence(cache, "running", 8, 100_000 / 16, 0));
        scheduler.submit(sequence(cache, "waiting", 8, 3, 0));
        assertThatThrownBy(() -> scheduler.submit(sequence(cache, "rejected", 8, 3, 0)))
                .isInstanceOfSatisfying(SimulatorRequestException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThat(stats.requestsRejected()).isEqualTo(1);
        assertThat(stats.waiting()).isEqualTo(1);
        scheduler.close();
        assertThatThrownBy(() -> scheduler.submit(sequence(cache, "late", 8, 3, 0)))
                .isInstanceOfSatisfying(SimulatorRequestException.class, e -> assertThat(e.status()).isEqualTo(503));
    }
}
