package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** 2,000 generated bad requests over every route of the API port, without API keys configured. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.05"})
class BadRequestFuzzTest extends BadRequestFuzzing {

    @Test
    void everyBadRequestIsA4xxInOpenAisFormatAndTheGatewayStaysHealthy() throws Exception {
        Outcome outcome = fuzz(18L, REQUESTS, 3, new Authorization() {
            @Override
            public String keyFor(Random random) {
                return null;
            }

            @Override
            public boolean refused(String key) {
                return false;
            }
        });
        System.out.println("Bad request answers without keys: " + outcome.statuses());
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.statuses().keySet()).as("the generator reaches the gateway's checks, not only one")
                .hasSizeGreaterThan(10);
        assertHealthy(null);
    }
}
