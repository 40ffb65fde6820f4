package dev.caravan.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark's short mode end to end (real gateways, simulated engines, HTTP streaming) and
 * checks the result files are well formed and that Caravan's placement beats round robin on the
 * agentic workload's hit rate. Only in the {@code bench} profile: it takes about a minute and a half.
 */
class RoutingBenchmarkShortTest {

    @TempDir
    Path out;

    @Test
    void shortModeWritesWellFormedResultsAndCaravanBeatsRoundRobin() throws Exception {
        System.setProperty("java.awt.headless", "true");
        new RoutingBenchmark(new BenchOptions("--short", "--out=" + out), System.out).run();

        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(root.path("runs").isArray()).isTrue();
        assertThat(root.path("workloads").size()).isGreaterThanOrEqualTo(2);
        for (JsonNode run : root.path("runs")) {
            assertThat(run.path("requests").asInt()).isPositive();
            assertThat(run.path("errors").asInt()).isZero();
            assertThat(run.path("hit_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(run.path("hit_rate_bound").asDouble()).isBetween(0.0, 1.0);
            assertThat(run.path("ttft_p50_ms").asDouble()).isPositive();
        }
        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertThat(csv.get(0).split(",")).containsExactlyElementsOf(RunSummary.COLUMNS);
        for (String line : csv.subList(1, csv.size())) {
            assertThat(line.split(",", -1)).hasSize(RunSummary.COLUMNS.size());
        }
        assertThat(csv).hasSize(1 + root.path("runs").size());
        try (var pngs = Files.list(out)) {
            assertThat(pngs.filter(p -> p.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(4);
        }
        double caravan = hitRate(root, "agentic@", PolicyUnderTest.CARAVAN);
        double roundRobin = hitRate(root, "agentic@", PolicyUnderTest.ROUND_ROBIN);
        assertThat(caravan).isGreaterThan(roundRobin);
    }

    private static double hitRate(JsonNode root, String workloadPrefix, String policy) {
        for (JsonNode run : root.path("runs")) {
            if (run.path("workload").asText().startsWith(workloadPrefix) && run.path("policy").asText().equals(policy)) {
                return run.path("hit_rate").asDouble();
            }
        }
        throw new AssertionError("no run of " + policy + " on " + workloadPrefix);
    }
}
