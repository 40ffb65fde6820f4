package dev.caravan.placement.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The fit on its own, fed answers drawn from known curves (the end-to-end fit against simulated
 * engines is {@code CostModelEndToEndTest}).
 */
class EngineCostModelTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final EngineCostModels models = new EngineCostModels(CostPriors.defaults(), 128, 30_000, now::get);
    private final Random random = new Random(3);

    /** A linear engine: {@code base} seconds plus {@code perKilotoken} per thousand uncached tokens, stretched by load. */
    private void answer(EngineCostModel m, double base, double perKilotoken, double itl) {
        int others = random.nextInt(8);
        double tokens = 100 + random.nextInt(3000);
        double stretch = 1 + 0.05 * others;
        double ttft = (base + perKilotoken * tokens / 1000) * stretch * (1 + 0.05 * random.nextGaussian());
        int completion = 16 + random.nextInt(64);
        double decode = itl * stretch * (completion - 1);
        m.learn(tokens, others, 0, 0, ttft, decode, completion, 0);
    }

    @Test
    void anEngineNeverHeardFromIsPredictedAsTheFleet() {
        EngineCostModel measured = models.of("a");
        for (int i = 0; i < 100; i++) answer(measured, 0.05, 0.4, 0.02);
        EngineCostModel newcomer = models.of("b");
        assertThat(newcomer.timeToFirstToken(1000, 0, 0)).isEqualTo(models.fleet().timeToFirstToken(1000, 0, 0));
        assertThat(newcomer.timeToFirstToken(1000, 0, 0)).isCloseTo(0.45, within(0.09));
        assertThat(newcomer.warm()).isFalse();
        assertThat(models.fleet().warm()).isTrue();
    }

    @Test
    void twoEnginesOfDifferentSpeedsAreToldApart() {
        EngineCostModel fast = models.of("fast");
        EngineCostModel slow = models.of("slow");
        for (int i = 0; i < 200; i++) {
            answer(fast, 0.02, 0.2, 0.01);
            answer(slow, 0.04, 0.5, 0.025);
        }
        assertThat(fast.timeToFirstToken(2000, 0, 0)).isCloseTo(0.42, within(0.084));
        assertThat(slow.timeToFirstToken(2000, 0, 0)).isCloseTo(1.04, within(0.21));
        assertThat(fast.interTokenLatency(1)).isCloseTo(0.0105, within(0.0021));
        assertThat(slow.interTokenLatency(1)).isCloseTo(0.02625, within(0.0053));
    }

    @Test
    void oneStalledAnswerMovesAWarmFitByLittle() {
        EngineCostModel m = models.of("a");
        for (int i = 0; i < 100; i++) answer(m, 0.03, 0.25, 0.012);
        double before = m.timeToFirstToken(1000, 0, 0);
        m.learn(1000, 0, 0, 0, 30.0, -1, -1, 0); // a 30 s hiccup
        assertThat(m.timeToFirstToken(1000, 0, 0)).isCloseTo(before, within(0.1 * before));
    }

    @Test
    void anEngineThatChangesIsFollowedAndOldAnswersFade() {
        EngineCostModel m = models.of("a");
        for (int i = 0; i < 300; i++) answer(m, 0.03, 0.25, 0.012);
        for (int i = 0; i < 300; i++) answer(m, 0.06, 0.5, 0.024); // twice as slow from now on
        assertThat(m.timeToFirstToken(1000, 0, 0)).isCloseTo(0.56, within(0.112));
        assertThat(m.interTokenLatency(1)).isCloseTo(0.0252, within(0.005));
    }

    @Test
    void anEngineThatStopsAnsweringFadesBackToTheFleet() {
        EngineCostModel slow = models.of("slow");
        EngineCostModel other = models.of("other");
        for (int i = 0; i < 100; i++) answer(slow, 0.3, 2.0, 0.05);
        for (int i = 0; i < 400; i++) answer(other, 0.02, 0.2, 0.01);
        double fleet = models.fleet().timeToFirstToken(1000, 0, 0);
        assertThat(slow.timeToFirstToken(1000, 0, 0)).isGreaterThan(3 * fleet);
        now.addAndGet(150_000); // five forget times without an answer
        assertThat(slow.timeToFirstToken(1000, 0, 0)).isCloseTo(fleet, within(0.1 * fleet));
    }

    @Test
    void aPlacementCostsMoreOnABusyEngineThanTheRequestsOwnWait() {
        EngineCostModel m = models.of("a");
        for (int i = 0; i < 200; i++) answer(m, 0.03, 0.25, 0.012);
        double alone = m.placementCost(1000, 0, 0);
        assertThat(alone).isEqualTo(m.timeToFirstToken(1000, 0, 0));
        assertThat(m.placementCost(1000, 6, 0)).isGreaterThan(m.timeToFirstToken(1000, 6, 0));
        assertThat(m.placementCost(1000, 6, 0)).isGreaterThan(alone);
    }

    /**
     * A chunked-prefill engine serves prefills in turn: a request waits for the prompt tokens queued
     * ahead of it whatever the batch; one that prefills each request apart does not.
     */
    private void answerQueued(EngineCostModel m, double perKilotoken, boolean waitsForQueue) {
        int others = random.nextInt(8);
        double tokens = 100 + random.nextInt(2000);
        double queued = random.nextInt(4) == 0 ? 0 : random.nextInt(6000);
        double ttft = 0.03 + perKilotoken * (tokens + (waitsForQueue ? queued : 0)) / 1000 + 0.012 * others;
        m.learn(tokens, others, 0, queued, ttft * (1 + 0.05 * random.nextGaussian()), -1, -1, 0);
    }

    @Test
    void thePrefillQueuedAheadIsLearntWhereTheEngineServesPrefillsInTurn() {
        EngineCostModel chunked = models.of("chunked");
        EngineCostModel apart = models.of("apart");
        for (int i = 0; i < 200; i++) {
            answerQueued(chunked, 0.25, true);
            answerQueued(apart, 0.25, false);
        }
        // behind 4,000 queued tokens: 0.03 + 0.25 * 5 = 1.28 s on the first, 0.28 s on the second
        assertThat(chunked.timeToFirstToken(1000, 0, 0, 4000)).isCloseTo(1.28, within(0.2 * 1.28));
        assertThat(apart.timeToFirstToken(1000, 0, 0, 4000)).isCloseTo(0.28, within(0.2 * 0.28));
        assertThat(chunked.timeToFirstToken(1000, 0, 0)).isCloseTo(0.28, within(0.2 * 0.28));
    }

    @Test
    void thePrefillQueueIsWhatWasSentAndHasNotStartedAnswering() {
        EngineCostModel m = models.of("a");
        for (int i = 0; i < 200; i++) answerQueued(m, 0.25, true);
        double idle = m.placementCost(500, 0, 0);
        assertThat(m.queuePrefill(3000)).isZero();
        assertThat(m.queuePrefill(1000)).isEqualTo(3000);
        assertThat(m.placementCost(500, 0, 0)).as("behind 4,000 queued tokens").isGreaterThan(idle + 0.5);
        m.prefillOver(3000);
        m.prefillOver(1000);
        assertThat(m.prefillQueued()).isZero();
        assertThat(m.placementCost(500, 0, 0)).isEqualTo(idle);
        m.prefillOver(10); // never below empty
        assertThat(m.prefillQueued()).isZero();
    }
}
