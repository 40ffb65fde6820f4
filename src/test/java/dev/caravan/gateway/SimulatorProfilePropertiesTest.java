package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.simulator.LatencyProfile;
import java.net.http.HttpResponse;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The gateway properties the routing benchmark's profiles set, spelt as it spells them
 * (SimulatorProfile): a latency profile as an engine option, and per-engine speeds.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=3",
        "caravan.simulator.options.time-scale=0.01",
        "caravan.simulator.options.latency-profile=chunked-prefill",
        "caravan.simulator.engine-speeds=1.0,0.4"})
class SimulatorProfilePropertiesTest extends GatewayTestSupport {

    @Test
    void engineSpeedsGoRoundRobinAndTheProfileReachesEveryEngine() throws Exception {
        assertThat(sims()).extracting(s -> s.config().speed()).containsExactly(1.0, 0.4, 1.0);
        assertThat(sims()).extracting(s -> s.config().latencyProfile())
                .containsOnly(LatencyProfile.CHUNKED_PREFILL);
        HttpResponse<String> r = post("/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello\",\"max_tokens\":3}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
