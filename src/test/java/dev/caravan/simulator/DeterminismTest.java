package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** With the same seed the simulator repeats itself: outputs, jitter and injected failures. */
class DeterminismTest {

    private static List<String> run(long seed) throws Exception {
        List<String> seen = new ArrayList<>();
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).seed(seed).build())) {
            engine.faults().failureRate(0.4);
            SimHttp http = new SimHttp(engine);
            for (int i = 0; i < 12; i++) {
                var r = http.post("/v1/completions", SimHttp.completion("question number " + (i % 4), 6));
                seen.add(r.statusCode() == 200
                        ? SimHttp.json(r).get("choices").get(0).get("text").asText()
                        : "HTTP " + r.statusCode());
            }
        }
        return seen;
    }

    @Test
    void sameSeedSameOutputsAndSameFailures() throws Exception {
        List<String> a = run(7);
        List<String> b = run(7);
        assertThat(a).isEqualTo(b);
        assertThat(a).contains("HTTP 500");
        assertThat(a.stream().filter(s -> !s.startsWith("HTTP")).distinct().count()).as("prompts differ, so do outputs").isGreaterThan(1);
    }

    @Test
    void anotherSeedGivesOtherOutputs() throws Exception {
        assertThat(run(8)).isNotEqualTo(run(7));
    }

    @Test
    void jitterIsReproducibleFromTheSeed() {
        SimulatorConfig config = SimulatorConfig.builder().jitterFraction(0.2).seed(99).build();
        LatencyModel a = new LatencyModel(config);
        LatencyModel b = new LatencyModel(config);
        LatencyModel other = new LatencyModel(config.toBuilder().seed(100).build());
        List<Long> sa = new ArrayList<>();
        List<Long> sb = new ArrayList<>();
        List<Long> so = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sa.add(a.interTokenNanos(4));
            sb.add(b.interTokenNanos(4));
            so.add(other.interTokenNanos(4));
        }
        assertThat(sa).isEqualTo(sb).isNotEqualTo(so);
        assertThat(sa.stream().distinct().count()).as("jitter actually varies").isGreaterThan(10);
        double mean = sa.stream().mapToLong(Long::longValue).average().orElseThrow() / 1e6;
        assertThat(mean).isBetween(12 * (1 + 3 / 15.0) * 0.85, 12 * (1 + 3 / 15.0) * 1.15);
    }
}
