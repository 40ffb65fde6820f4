package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The same 2,000 generated bad requests with {@code caravan.security.api-keys} set, sent with no key,
 * a wrong key (401 whatever the request) or the right key (the request's own 4xx).
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.05",
        "caravan.security.api-keys=sk-fuzz-right-0001"})
class KeyedBadRequestFuzzTest extends BadRequestFuzzing {

    private static final String RIGHT = "Bearer sk-fuzz-right-0001";

    @Test
    void everyBadRequestIsA4xxWhateverTheKeyAndTheGatewayStaysHealthy() throws Exception {
        Outcome outcome = fuzz(1818L, REQUESTS, 3, new Authorization() {
            @Override
            public String keyFor(Random random) {
                return switch (random.nextInt(6)) {
                    case 0 -> null;
                    case 1 -> "Bearer sk-fuzz-wrong-0001";
                    case 2 -> random.nextBoolean() ? "sk-fuzz-right-0001" : "Basic c2stZnV6ejo=";
                    default -> RIGHT;
                };
            }

            @Override
            public boolean refused(String key) {
                return !RIGHT.equals(key);
            }
        });
        System.out.println("Bad request answers with keys: " + outcome.statuses());
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.statuses()).containsKey("401 invalid_api_key");
        assertThat(outcome.statuses().keySet()).hasSizeGreaterThan(10);
        assertHealthy(RIGHT);
    }
}
