package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The shape each latency profile claims, and the speed factor, on the model alone (no clock involved). */
class LatencyProfilesTest {

    private static final SimulatorConfig NO_JITTER = SimulatorConfig.builder().jitterFraction(0).build();

    @Test
    void linearGivesTheNumbersOfOldToTheBitJitterIncluded() {
        SimulatorConfig config = SimulatorConfig.builder().jitterFraction(0.2).seed(7).timeScale(0.3).build();
        LatencyModel model = new LatencyModel(config);
        // The formula as it was before profiles, speed and slowdown existed.
        Random jitter = new Random(7);
        for (int running = 1; running <= 20; running++) {
            double prefill = (30.0 + 500 * 0.25) * model.stretch(running)
                    * Math.max(0.0, 1.0 + jitter.nextGaussian() * 0.2);
            assertThat(model.prefillNanos(500, running)).isEqualTo(Math.round(prefill * 0.3 * 1_000_000.0));
            double itl = 12.0 * model.stretch(running) * Math.max(0.0, 1.0 + jitter.nextGaussian() * 0.2);
            assertThat(model.interTokenNanos(running)).isEqualTo(Math.round(itl * 0.3 * 1_000_000.0));
        }
    }

    @Test
    void batchScaledItlIsNearFlatBelowTheKneeAndClearlyHigherAtBatch64() {
        LatencyModel model = new LatencyModel(NO_JITTER.toBuilder().latencyProfile(LatencyProfile.BATCH_SCALED)
                .maxRunning(128).build());
        double alone = model.interTokenNanos(1);
        assertThat(alone).isEqualTo(12_000_000L);
        assertThat(model.interTokenNanos(4) / alone).as("near-flat at small batches").isLessThan(1.1);
        assertThat(model.interTokenNanos(32) / alone).as("doubled at the knee").isCloseTo(1.97, within(0.01));
        assertThat(model.interTokenNanos(64) / alone).as("well past the knee").isGreaterThan(2.5);
        assertThat(model.interTokenNanos(128)).isGreaterThan(model.interTokenNanos(64));
        double prefillAlone = model.prefillNanos(1000, 1);
        assertThat(prefillAlone).isEqualTo(280_000_000L);
        assertThat(model.prefillNanos(1000, 64) / prefillAlone).as("prefill grows only mildly").isBetween(1.1, 1.3);
    }

    @Test
    void batchScaledIgnoresTheLoadFactor() {
        LatencyModel a = new LatencyModel(NO_JITTER.toBuilder().latencyProfile(LatencyProfile.BATCH_SCALED).loadFactor(1).build());
        LatencyModel b = new LatencyModel(NO_JITTER.toBuilder().latencyProfile(LatencyProfile.BATCH_SCALED).loadFactor(5).build());
        assertThat(a.interTokenNanos(16)).isEqualTo(b.interTokenNanos(16));
    }

    @Test
    void aChunkedStepIsTheBatchDecodeStepPlusItsPrefillTokens() {
        LatencyModel model = new LatencyModel(NO_JITTER.toBuilder().latencyProfile(LatencyProfile.CHUNKED_PREFILL).build());
        LatencyModel linear = new LatencyModel(NO_JITTER);
        assertThat(model.stepNanos(8, 0)).as("a decode-only step is linear's ITL").isEqualTo(linear.interTokenNanos(8));
        assertThat(model.stepNanos(8, 2040)).isEqualTo(linear.interTokenNanos(8) + 510_000_000L);
        assertThat(model.prefillOverheadNanos()).isEqualTo(30_000_000L);
    }

    @Test
    void halfSpeedDoublesEveryLatencyOfEveryProfile() {
        for (LatencyProfile profile : LatencyProfile.values()) {
            SimulatorConfig full = NO_JITTER.toBuilder().latencyProfile(profile).build();
            LatencyModel fast = new LatencyModel(full);
            LatencyModel slow = new LatencyModel(full.toBuilder().speed(0.5).build());
            // Within a nanosecond: each side is rounded to whole nanoseconds on its own.
            assertThat(slow.prefillNanos(700, 5)).as(profile.cliName()).isCloseTo(2 * fast.prefillNanos(700, 5), within(1L));
            assertThat(slow.interTokenNanos(5)).as(profile.cliName()).isCloseTo(2 * fast.interTokenNanos(5), within(1L));
            assertThat(slow.stepNanos(5, 300)).as(profile.cliName()).isCloseTo(2 * fast.stepNanos(5, 300), within(1L));
            assertThat(slow.prefillOverheadNanos()).as(profile.cliName()).isCloseTo(2 * fast.prefillOverheadNanos(), within(1L));
        }
    }

    @Test
    void theSlowdownIsReadOnEveryLatency() {
        double[] slowdown = {1.0};
        LatencyModel model = new LatencyModel(NO_JITTER, () -> slowdown[0]);
        assertThat(model.interTokenNanos(1)).isEqualTo(12_000_000L);
        slowdown[0] = 2.5;
        assertThat(model.interTokenNanos(1)).isEqualTo(30_000_000L);
        slowdown[0] = 1.0;
        assertThat(model.interTokenNanos(1)).isEqualTo(12_000_000L);
    }
}
