package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.gateway.GatewayTestSupport;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * 10,000 distinct workflows, each with its own agent names beyond the cap, through the gateway: the
 * number of series on /actuator/prometheus stays where it was after the first thousand.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.001",
        "caravan.metrics.max-agent-ids=20",
        "logging.level.caravan.request=warn"}) // 10,000 log lines would only slow the test down
class SeriesCardinalityTest extends GatewayTestSupport {

    static final int WORKFLOWS = 10_000;

    @Test
    void tenThousandWorkflowsDoNotGrowTheSeries() throws Exception {
        drive(0, 1_000);
        List<String> early = series();
        drive(1_000, WORKFLOWS);
        List<String> late = series();

        assertThat(count(late, "vllm_")).isEqualTo(count(early, "vllm_"));
        assertThat(count(late, "caravan_")).isEqualTo(count(early, "caravan_"));
        // JVM and executor series may add a few (a new GC cause); nothing grows with the workflows
        assertThat(late.size()).isLessThanOrEqualTo(early.size() + 10);
        assertThat(late).noneMatch(s -> s.contains("workflow_id=\"card-"));
        assertThat(late).anyMatch(s -> s.startsWith("vllm_workflow_requests_total{agent_id=\"other\"}"));
        String prom = getManagement("/actuator/prometheus").body();
        double total = 0;
        for (String line : prom.split("\n")) {
            if (line.startsWith("vllm_workflow_requests_total{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertThat(total).isEqualTo(WORKFLOWS);
    }

    private void drive(int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger(from);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                        String body = "{\"model\":\"" + MODEL + "\",\"prompt\":\"item " + i + "\",\"max_tokens\":1,"
                                + "\"workflow_metadata\":{\"workflow_id\":\"card-" + i + "\",\"agent_id\":\"agent-" + i + "\"}}";
                        HttpResponse<String> r = post("/v1/completions", body);
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> series() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : getManagement("/actuator/prometheus").body().split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                out.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return out;
    }

    private static long count(List<String> series, String prefix) {
        return series.stream().filter(s -> s.startsWith(prefix)).count();
    }
}
