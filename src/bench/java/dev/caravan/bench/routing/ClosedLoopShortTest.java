package dev.caravan.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed-loop workload end to end with tiny parameters (4 workflows, 2 at a time, 1 round, time
 * scale 0.05) under round-robin-direct and caravan on the linear profile, the direct driver's bodies
 * and spread, and the acceptance checks' arithmetic.
 */
class ClosedLoopShortTest {

    @TempDir
    Path out;

    @Test
    void tinyClosedLoopRunGivesARowPerPolicyAndAnAcceptanceTable() throws Exception {
        System.setProperty("java.awt.headless", "true");
        new RoutingBenchmark(new BenchOptions("--workloads=closed-loop", "--closed-loop-workflows=4", "--concurrency=2",
                "--closed-loop-rounds=1", "--closed-loop-output-tokens=16", "--time-scale=0.05", "--engines=2",
                "--policies=round-robin-direct,caravan", "--profiles=linear", "--out=" + out), System.out).run();

        JsonNode runs = new ObjectMapper().readTree(out.resolve("results.json").toFile()).path("runs");
        assertThat(runs.size()).isEqualTo(2);
        int calls = 4 * (1 + 4 + 1);
        for (JsonNode run : runs) {
            assertThat(run.path("workload").asText()).isEqualTo("closed-loop-c2");
            assertThat(run.path("profile").asText()).isEqualTo("linear");
            assertThat(run.path("requests").asInt()).isEqualTo(calls);
            assertThat(run.path("errors").asInt()).isZero();
            assertThat(run.path("hit_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(run.path("wall_s").asDouble()).isPositive();
            assertThat(run.path("throughput_rps").asDouble()).isPositive();
            assertThat(run.path("ttft_p50_ms").asDouble()).isPositive();
            assertThat(run.path("ttft_p99_ms").asDouble()).isGreaterThanOrEqualTo(run.path("ttft_p50_ms").asDouble());
        }
        assertThat(runs.get(0).path("policy").asText()).isEqualTo(PolicyUnderTest.ROUND_ROBIN_DIRECT);
        // The client's own round robin: the 24 calls alternate over the two engines.
        assertThat(runs.get(0).path("requests_per_engine").path("sim-0").asInt()).isEqualTo(calls / 2);
        assertThat(runs.get(0).path("requests_per_engine").path("sim-1").asInt()).isEqualTo(calls / 2);
        assertThat(runs.get(1).path("policy").asText()).isEqualTo(PolicyUnderTest.CARAVAN);
        // Caravan keeps a workflow's calls together, round robin scatters them.
        assertThat(runs.get(1).path("hit_rate").asDouble()).isGreaterThan(runs.get(0).path("hit_rate").asDouble());

        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertThat(csv.get(0).split(",")).containsExactlyElementsOf(RunSummary.COLUMNS);
        assertThat(csv).hasSize(3);
        String acceptance = Files.readString(out.resolve("acceptance.md"));
        assertThat(acceptance).contains("closed-loop-c2, profile linear", "| round-robin-direct |", "| caravan |",
                "Caravan against round-robin-direct", "of 1 profiles");
    }

    @Test
    void directDriverRoundRobinsOverTheEnginesAndDropsWorkflowMetadata() throws Exception {
        List<ConcurrentLinkedQueue<String>> bodies = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        List<HttpServer> servers = new ArrayList<>();
        try {
            for (ConcurrentLinkedQueue<String> q : bodies) servers.add(fakeEngine(q));
            List<URI> urls = servers.stream().map(s -> URI.create("http://127.0.0.1:" + s.getAddress().getPort())).toList();
            try (HttpDriver d = HttpDriver.direct(urls)) {
                for (int i = 0; i < 4; i++) {
                    CallResult r = d.call(new ChatCall("wf", "worker", List.of(new ChatCall.Message("user", "hello " + i)), 8,
                            new ChatCall.Workflow("wf", "worker-" + i, "parent"))).get(10, TimeUnit.SECONDS);
                    assertThat(r.ok()).isTrue();
                    assertThat(r.engine()).isEqualTo("sim-" + (i % 2));
                }
            }
        } finally {
            servers.forEach(s -> s.stop(0));
        }
        assertThat(bodies.get(0)).hasSize(2);
        assertThat(bodies.get(1)).hasSize(2);
        for (var q : bodies) {
            for (String b : q) {
                JsonNode n = new ObjectMapper().readTree(b);
                assertThat(n.has("workflow_metadata")).isFalse();
                assertThat(n.path("stream").asBoolean()).isTrue();
                assertThat(n.path("max_tokens").asInt()).isEqualTo(8);
            }
        }
        assertThat(bodies.get(0).peek()).contains("hello 0");
        assertThat(bodies.get(1).peek()).contains("hello 1");
    }

    private static HttpServer fakeEngine(ConcurrentLinkedQueue<String> bodies) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/v1/chat/completions", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] sse = ("data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"
                    + "data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\ndata: [DONE]\n\n")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, sse.length);
            ex.getResponseBody().write(sse);
            ex.close();
        });
        s.start();
        return s;
    }

    @Test
    void acceptanceComparesCaravanWithTheDirectReference() {
        List<Map<String, Object>> rows = List.of(
                row("round-robin-direct", 400, 900, 1000, 0.4, 30),
                row("round-robin", 350, 800, 1200, 0.5, 28),
                row("caravan", 150, 700, 900, 0.9, 20));
        String report = Acceptance.report(rows);
        assertThat(report).contains("Caravan against round-robin-direct", "- [x] TTFT p50 at least 2x lower",
                "- [x] TTFT p95 no higher", "- [x] TTFT p99 no higher", "- [x] hit rate >= 0.85", "- [x] wall time lower",
                "- [x] best TTFT p99 of the 3 policies run", "best TTFT p99 on 1 of 1 profiles");
        String worse = Acceptance.report(List.of(row("round-robin", 250, 900, 800, 0.4, 30), row("caravan", 150, 700, 900, 0.8, 20)));
        assertThat(worse).contains("Caravan against round-robin:", "- [ ] TTFT p50 at least 2x lower", "- [ ] TTFT p99 no higher",
                "- [ ] hit rate >= 0.85", "- [ ] best TTFT p99", "best TTFT p99 on 0 of 1 profiles");
        assertThat(Acceptance.report(List.of(row("caravan", 1, 1, 1, 1, 1)))).contains("Checks not computed");
        Map<String, Object> agentic = new LinkedHashMap<>(row("caravan", 1, 1, 1, 1, 1));
        agentic.put("workload", "agentic@6");
        assertThat(Acceptance.report(List.of(agentic))).isEmpty();
    }

    @Test
    void profilesMapToSimulatorOptionsAndUnknownOnesFail() {
        assertThat(new BenchOptions().profiles()).containsExactly(SimulatorProfile.LINEAR);
        assertThat(SimulatorProfile.parse("linear,chunked-prefill,batch-scaled,mixed-gpus")).containsExactly(SimulatorProfile.values());
        assertThat(SimulatorProfile.CHUNKED_PREFILL.engineOptions).containsEntry("latency-profile", "chunked-prefill");
        assertThat(SimulatorProfile.MIXED_GPUS.gatewayProperties).containsEntry("caravan.simulator.engine-speeds", "1.0,0.4");
        assertThat(SimulatorProfile.LINEAR.key("closed-loop-c12")).isEqualTo("closed-loop-c12");
        assertThatThrownBy(() -> SimulatorProfile.parse("linear,fast")).hasMessageContaining("unknown profile fast");
    }

    private static Map<String, Object> row(String policy, double p50, double p95, double p99, double hit, double wall) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "closed-loop-c12");
        r.put("profile", "linear");
        r.put("policy", policy);
        r.put("ttft_p50_ms", p50);
        r.put("ttft_p95_ms", p95);
        r.put("ttft_p99_ms", p99);
        r.put("hit_rate", hit);
        r.put("wall_s", wall);
        r.put("throughput_rps", 1.0);
        r.put("errors", 0);
        return r;
    }
}
