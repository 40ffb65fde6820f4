package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.policy.RendezvousHome;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two gateway replicas (A and B: two application contexts, each with its own embedded broker, sharing
 * nothing) in front of the same four simulated engines, configured as the chart configures several
 * replicas ({@code caravan.routing.balance-homes=false}). Every workflow sends through A and B in
 * turn and lands on the same engine through either, the rendezvous choice over the engine ids; when
 * an engine stops, the workflows that lived there move to the same new engine through both, and the
 * others stay where they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicasAgreeOnHomesTest {

    private static final String MODEL = GatewayTestSupport.MODEL;
    private static final int WORKFLOWS = 24;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<SimulatedEngine> sims = new ArrayList<>();
    private ConfigurableApplicationContext gatewayA;
    private ConfigurableApplicationContext gatewayB;

    @BeforeAll
    void start() throws Exception {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--camel.main.routes-reload-enabled=false",
                "--caravan.routing.balance-homes=false", "--caravan.engine-client.scrape-interval=200ms"));
        for (int i = 0; i < 4; i++) {
            SimulatedEngine sim = SimulatedEngine.start(SimulatorConfig.fromArgs("--port=0", "--seed=" + i, "--time-scale=0.05"));
            sims.add(sim);
            args.add("--caravan.engines[" + i + "].id=vllm-" + i);
            args.add("--caravan.engines[" + i + "].url=" + sim.baseUrl());
        }
        gatewayA = new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new));
        gatewayB = new SpringApplicationBuilder(CaravanApplication.class).run(args.toArray(String[]::new));
    }

    @AfterAll
    void stop() {
        for (ConfigurableApplicationContext g : new ConfigurableApplicationContext[] {gatewayA, gatewayB}) {
            if (g != null) g.close();
        }
        sims.forEach(SimulatedEngine::close);
    }

    @Test
    void everyWorkflowLandsOnTheSameEngineThroughEitherReplicaBeforeAndAfterAnEngineLeaves() throws Exception {
        Map<String, String> homes = new LinkedHashMap<>();
        for (int w = 0; w < WORKFLOWS; w++) {
            String wf = "agree-" + w;
            List<String> seen = new ArrayList<>();
            for (int turn = 0; turn < 4; turn++) {
                seen.add(engineOf(chat(turn % 2 == 0 ? gatewayA : gatewayB, wf, "step " + turn + " of " + wf)));
            }
            assertThat(seen).as("%s through A, B, A, B", wf).containsOnly(seen.get(0));
            homes.put(wf, seen.get(0));
            assertThat(assigned(gatewayA, wf)).isEqualTo(seen.get(0));
            assertThat(assigned(gatewayB, wf)).isEqualTo(seen.get(0));
        }
        // The home is the rendezvous choice over the engine ids, computed here without either gateway.
        List<Engine> all = engines(gatewayA);
        for (Map.Entry<String, String> h : homes.entrySet()) {
            assertThat(h.getValue()).as(h.getKey()).isEqualTo(rendezvousTop(h.getKey(), all));
        }
        assertThat(Set.copyOf(homes.values())).as("24 workflows spread over the engines").hasSizeGreaterThan(1);

        // The engine home to the most workflows stops (process gone: connections refused).
        Map<String, Long> perEngine = homes.values().stream().collect(Collectors.groupingBy(e -> e, Collectors.counting()));
        String stopped = perEngine.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        sims.get(Integer.parseInt(stopped.substring("vllm-".length()))).close();
        for (ConfigurableApplicationContext g : List.of(gatewayA, gatewayB)) {
            EngineRegistry registry = g.getBean(EngineRegistry.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> !registry.byId(stopped).orElseThrow().isHealthy());
        }
        List<Engine> left = all.stream().filter(e -> !e.id().equals(stopped)).toList();

        int moved = 0;
        for (Map.Entry<String, String> h : homes.entrySet()) {
            String wf = h.getKey();
            // B first this time: the replica that did not serve the workflow's first request moves it first
            String viaB = engineOf(chat(gatewayB, wf, "after " + wf));
            String viaA = engineOf(chat(gatewayA, wf, "after again " + wf));
            assertThat(viaA).as("%s through A and B after %s stopped", wf, stopped).isEqualTo(viaB);
            if (h.getValue().equals(stopped)) {
                moved++;
                assertThat(viaB).isNotEqualTo(stopped).isEqualTo(rendezvousTop(wf, left));
            } else {
                assertThat(viaB).as("%s lived elsewhere and stays", wf).isEqualTo(h.getValue());
            }
            assertThat(assigned(gatewayA, wf)).isEqualTo(viaA);
            assertThat(assigned(gatewayB, wf)).isEqualTo(viaB);
        }
        assertThat(moved).isEqualTo(perEngine.get(stopped).intValue()).isPositive();
    }

    /** The top-ranked engine for the workflow by rendezvous hashing alone (no load: the engines are idle). */
    private static String rendezvousTop(String workflowId, List<Engine> engines) {
        return new RendezvousHome(0, 0).top(RendezvousHome.keyHash(workflowId), engines).id();
    }

    private static List<Engine> engines(ConfigurableApplicationContext gateway) {
        return List.copyOf(gateway.getBean(EngineRegistry.class).all());
    }

    private HttpResponse<String> chat(ConfigurableApplicationContext gateway, String workflow, String prompt) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"max_tokens\":2,\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\"}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(gateway, "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String engineOf(HttpResponse<String> r) {
        return r.headers().firstValue("x-caravan-engine").orElseThrow();
    }

    private String assigned(ConfigurableApplicationContext gateway, String workflow) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(gateway, "/v1/workflows/" + workflow + "/status"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode status = mapper.readTree(r.body());
        return status.get("assigned_engine").asText();
    }

    private static URI uri(ConfigurableApplicationContext gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port") + path);
    }
}
