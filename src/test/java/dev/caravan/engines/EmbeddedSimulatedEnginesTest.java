package dev.caravan.engines;

import dev.caravan.simulator.LatencyProfile;
import dev.caravan.simulator.SimulatedEngine;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-engine options of the embedded simulated engines: caravan.simulator.engine-speeds and profile options. */
class EmbeddedSimulatedEnginesTest {

    @Test
    void engineSpeedsAreAppliedRoundRobin() {
        EmbeddedSimulatedEngines sims = new EmbeddedSimulatedEngines(new EngineProperties(), 3,
                Map.of("time-scale", "0", "speed", "0.9"), EmbeddedSimulatedEngines.parseSpeeds("1.0, 0.4"));
        try {
            assertThat(sims.simulators()).extracting(s -> s.config().speed()).containsExactly(1.0, 0.4, 1.0);
            assertThat(sims.simulators()).extracting(SimulatedEngine::port).doesNotHaveDuplicates();
        } finally {
            sims.destroy();
        }
    }

    @Test
    void withoutEngineSpeedsEveryEngineRunsAtTheCommonSpeedAndProfile() {
        EmbeddedSimulatedEngines sims = new EmbeddedSimulatedEngines(new EngineProperties(), 2,
                Map.of("time-scale", "0", "latency-profile", "chunked-prefill"), EmbeddedSimulatedEngines.parseSpeeds(""));
        try {
            assertThat(sims.simulators()).extracting(s -> s.config().speed()).containsExactly(1.0, 1.0);
            assertThat(sims.simulators()).extracting(s -> s.config().latencyProfile())
                    .containsOnly(LatencyProfile.CHUNKED_PREFILL);
        } finally {
            sims.destroy();
        }
    }

    @Test
    void badEngineSpeedsNameTheProperty() {
        assertThat(EmbeddedSimulatedEngines.parseSpeeds(null)).isEmpty();
        assertThat(EmbeddedSimulatedEngines.parseSpeeds("0.5")).isEqualTo(List.of(0.5));
        assertThatThrownBy(() -> EmbeddedSimulatedEngines.parseSpeeds("1.0,fast"))
                .hasMessageContaining("caravan.simulator.engine-speeds").hasMessageContaining("'fast' is not a number");
        assertThatThrownBy(() -> EmbeddedSimulatedEngines.parseSpeeds("1.0,0"))
                .hasMessageContaining("caravan.simulator.engine-speeds").hasMessageContaining("not a positive speed");
    }
}
