package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The run-time slowdown (Java and {@code POST /sim/faults}) and the engine's speed, end to end.
 * A lone request's TTFT is exactly its prefill time (both are measured from its admission), so
 * the figures are exact, not timed.
 */
class SlowdownTest {

    private SimulatedEngine engine;
    private SimHttp http;

    @BeforeEach
    void start() throws Exception {
        engine = SimulatedEngine.start(config().build());
        http = new SimHttp(engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** A 40 ms prefill (overhead only) and 1 ms tokens. */
    private static SimulatorConfig.Builder config() {
        return SimulatorConfig.builder().jitterFraction(0).prefillOverheadMs(40).prefillPerTokenMs(0).interTokenLatencyMs(1);
    }

    /** TTFT of one more request on {@code e}, in ms. */
    private static double nextTtftMs(SimulatedEngine e) throws Exception {
        double before = e.stats().timeToFirstToken.sum();
        assertThat(new SimHttp(e).post("/v1/completions", SimHttp.completion("slow?", 2)).statusCode()).isEqualTo(200);
        return (e.stats().timeToFirstToken.sum() - before) * 1000;
    }

    @Test
    void aSlowdownSetFromJavaAppliesToTheNextRequestAndResetRestores() throws Exception {
        assertThat(nextTtftMs(engine)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.001));
        engine.faults().slowdown(3.0);
        assertThat(engine.faults().slowdown()).isEqualTo(3.0);
        assertThat(nextTtftMs(engine)).isCloseTo(120.0, org.assertj.core.data.Offset.offset(0.001));
        engine.faults().slowdown(1.0);
        assertThat(nextTtftMs(engine)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.001));
        engine.faults().slowdown(2.0).reset();
        assertThat(engine.faults().slowdown()).isEqualTo(1.0);
        assertThat(nextTtftMs(engine)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void theSlowdownIsSetAndResetOverSimFaults() throws Exception {
        assertThat(SimHttp.json(http.get("/sim/faults")).get("slowdown").asDouble()).isEqualTo(1.0);
        JsonNode set = SimHttp.json(http.post("/sim/faults", "{\"slowdown\":2.0}"));
        assertThat(set.get("slowdown").asDouble()).isEqualTo(2.0);
        assertThat(nextTtftMs(engine)).isCloseTo(80.0, org.assertj.core.data.Offset.offset(0.001));

        assertThat(SimHttp.json(http.post("/sim/faults", "{\"slowdown\":null}")).get("slowdown").asDouble()).isEqualTo(1.0);
        http.post("/sim/faults", "{\"slowdown\":4}");
        JsonNode reset = SimHttp.json(http.post("/sim/faults", "{\"reset\":true}"));
        assertThat(reset.get("slowdown").asDouble()).isEqualTo(1.0);
        assertThat(nextTtftMs(engine)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void badSlowdownsAreRejected() throws Exception {
        for (String bad : new String[] {"0", "-2", "\"fast\"", "true"}) {
            var response = http.post("/sim/faults", "{\"slowdown\":" + bad + "}");
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(SimHttp.json(response).get("error").get("message").asText()).as(bad).contains("slowdown must be");
        }
        assertThatThrownBy(() -> engine.faults().slowdown(Double.NaN)).hasMessageContaining("slowdown must be a positive");
        assertThat(engine.faults().slowdown()).isEqualTo(1.0);
    }

    @Test
    void anEngineAtHalfSpeedTakesTwiceAsLong() throws Exception {
        try (SimulatedEngine slow = SimulatedEngine.start(config().speed(0.5).build())) {
            assertThat(nextTtftMs(slow)).isCloseTo(80.0, org.assertj.core.data.Offset.offset(0.001));
        }
    }
}
