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

    private static EngineProperties.ModelAlias alias(String model, String... aliases) {
        EngineProperties.ModelAlias a = new EngineProperties.ModelAlias();
        a.setModel(model);
        a.setAliases(List.of(aliases));
        return a;
    }

    @Test
    void theSeedPlansModelNameIsAnAliasOfTheSimulatedModelBesideTheConfiguredOnes() {
        EmbeddedSimulatedEngines sims = new EmbeddedSimulatedEngines(new EngineProperties(), 1, Map.of("time-scale", "0"));
        try {
            ModelAliases aliases = new ModelAliases(sims.withPlanAlias(List.of(alias("meta-llama/Llama-3.1-8B-Instruct", "l8b"))));
            assertThat(aliases.asMap()).containsExactly(Map.entry("l8b", "meta-llama/Llama-3.1-8B-Instruct"),
                    Map.entry("llama", "meta-llama/Llama-3.1-8B-Instruct"));
        } finally {
            sims.destroy();
        }
    }

    @Test
    void noPlanAliasWhenTheConfigurationOrTheSimulatorNamesLlamaItself() {
        EmbeddedSimulatedEngines sims = new EmbeddedSimulatedEngines(new EngineProperties(), 1, Map.of("time-scale", "0"));
        EmbeddedSimulatedEngines servesLlama = new EmbeddedSimulatedEngines(new EngineProperties(), 1,
                Map.of("time-scale", "0", "model", "llama,other"));
        try {
            List<EngineProperties.ModelAlias> mine = List.of(alias("meta-llama/Llama-3.1-8B-Instruct", "llama"));
            assertThat(sims.withPlanAlias(mine)).isEqualTo(mine);
            List<EngineProperties.ModelAlias> served = List.of(alias("llama", "my-llama"));
            assertThat(sims.withPlanAlias(served)).isEqualTo(served);
            assertThat(servesLlama.withPlanAlias(List.of())).isEmpty();
        } finally {
            sims.destroy();
            servesLlama.destroy();
        }
    }

    @Test
    void noPlanAliasWithConfiguredEngines() {
        EngineProperties properties = new EngineProperties();
        EngineProperties.EngineEntry real = new EngineProperties.EngineEntry();
        real.setUrl("http://127.0.0.1:1");
        properties.getEngines().add(real);
        EmbeddedSimulatedEngines none = new EmbeddedSimulatedEngines(properties, 2, Map.of());
        assertThat(none.engines()).isEmpty();
        assertThat(none.withPlanAlias(List.of())).isEmpty();
    }
}
