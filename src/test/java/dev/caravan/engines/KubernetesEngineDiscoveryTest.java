package dev.caravan.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Engine discovery against fabric8's Kubernetes mock server in CRUD mode: the gateway watches pods
 * labelled {@code caravan.dev/engine=true} in namespace {@code llm}; each pod's IP and named port
 * point at a real simulated engine on 127.0.0.1. Pods are created, made Ready, made NotReady and
 * deleted through the Kubernetes API, and {@code /health} (its engine list), {@code /v1/models} and workflow
 * placement follow, with no restart.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "caravan.engine-discovery.kubernetes.enabled=true",
                "caravan.engine-discovery.kubernetes.namespace=llm",
                "caravan.engine-discovery.kubernetes.port=http",
                "caravan.engine-discovery.kubernetes.initial-sync-timeout=10s",
                "caravan.engine-client.scrape-interval=200ms",
                "caravan.routing.balance-homes=false",
                "caravan.simulator.options.time-scale=0.05",
                "logging.level.io.fabric8.mockwebserver=WARN"})
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesEngineDiscoveryTest {

    static final String NS = "llm";
    static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    static final Duration WAIT = Duration.ofSeconds(15);

    static final KubernetesMockServer API = new KubernetesMockServer(new Context(), new MockWebServer(),
            new HashMap<>(), new KubernetesCrudDispatcher(), false);
    static final List<SimulatedEngine> SIMS = new ArrayList<>();
    static NamespacedKubernetesClient kube;

    static {
        API.init();
        kube = API.createClient();
        try {
            for (int i = 0; i < 4; i++) {
                SIMS.add(SimulatedEngine.start(SimulatorConfig.fromArgs("--port=0", "--seed=" + i, "--time-scale=0.05")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // There before the gateway starts: an engine at start-up, from the informer's first list.
        kube.pods().inNamespace(NS).resource(pod("vllm-0", 0, true, MODEL)).create();
    }

    @DynamicPropertySource
    static void discovery(DynamicPropertyRegistry registry) {
        registry.add("caravan.engine-discovery.kubernetes.api-server-url", () -> API.url("/"));
    }

    @AfterAll
    static void stop() {
        kube.close();
        API.destroy();
        SIMS.forEach(SimulatedEngine::close);
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    EngineRegistry registry;
    @Autowired
    KubernetesEngineDiscovery discovery;
    @Autowired
    EmbeddedSimulatedEngines embedded;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper mapper = new ObjectMapper();

    /** A pod of the engine fleet whose IP and port are simulated engine {@code sim}'s. */
    static Pod pod(String name, int sim, boolean ready, String modelAnnotation) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("caravan.dev/engine", "true").addToLabels("app", "vllm").endMetadata()
                .withNewSpec().addNewContainer().withName("vllm").withImage("vllm/vllm-openai")
                .addNewPort().withName("http").withContainerPort(SIMS.get(sim).port()).endPort()
                .endContainer().withNodeName("gpu-node-" + sim).endSpec()
                .withNewStatus().withPhase(ready ? "Running" : "Pending").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus();
        if (modelAnnotation != null) {
            b.editMetadata().addToAnnotations("caravan.dev/model", modelAnnotation).endMetadata();
        }
        return b.build();
    }

    static void setReady(String name, boolean ready) {
        Pod p = kube.pods().inNamespace(NS).withName(name).get();
        p.getStatus().getConditions().get(0).setStatus(ready ? "True" : "False");
        kube.pods().inNamespace(NS).resource(p).updateStatus();
    }

    /** The engines /health lists, as engine id -> healthy. */
    Map<String, Boolean> engines() throws Exception {
        JsonNode body = mapper.readTree(get("/health").body());
        Map<String, Boolean> out = new TreeMap<>();
        for (JsonNode e : body.get("engines")) out.put(e.get("id").asText(), e.get("healthy").asBoolean());
        return out;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String prometheus() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/prometheus"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    HttpResponse<String> chat(String workflow, String prompt) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}],\"max_tokens\":2,\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"a\"}}";
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void aReadyPodAtStartIsAnEngineAndNoSimulatedEnginesStart() throws Exception {
        assertThat(embedded.engines()).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).containsExactly(Map.entry("vllm-0", true)));
        Engine e = registry.byId("vllm-0").orElseThrow();
        assertThat(e.url()).isEqualTo(URI.create("http://127.0.0.1:" + SIMS.get(0).port()));
        assertThat(e.modelsConfigured()).isTrue();
        assertThat(e.servedModels()).containsExactly(MODEL);
        assertThat(e.labels()).containsEntry("namespace", NS).containsEntry("node", "gpu-node-0");
    }

    @Test
    @Order(2)
    void aPodJoinsWhenReadyWithItsModelsFromV1Models() throws Exception {
        kube.pods().inNamespace(NS).resource(pod("vllm-1", 1, false, null)).create();
        // Not matching the selector: never an engine.
        Pod other = pod("not-an-engine", 2, true, MODEL);
        other.getMetadata().getLabels().remove("caravan.dev/engine");
        kube.pods().inNamespace(NS).resource(other).create();
        Thread.sleep(500);
        assertThat(engines()).containsOnlyKeys("vllm-0");

        setReady("vllm-1", true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).containsExactly(
                Map.entry("vllm-0", true), Map.entry("vllm-1", true)));
        Engine e = registry.byId("vllm-1").orElseThrow();
        assertThat(e.modelsConfigured()).isFalse();
        // read from the engine's /v1/models by the health monitor
        assertThat(e.servedModels()).containsExactlyElementsOf(SIMS.get(1).config().models());
        assertThat(get("/v1/models").body()).contains(MODEL);
        assertThat(discovery.discoveredIds()).containsExactlyInAnyOrder("vllm-0", "vllm-1");
    }

    @Test
    @Order(3)
    void aPodThatStopsBeingReadyLeavesAndItsWorkflowsMove() throws Exception {
        kube.pods().inNamespace(NS).resource(pod("vllm-2", 2, true, MODEL)).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).hasSize(3).doesNotContainValue(false));

        Map<String, String> homes = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = chat("wf-" + i, "hello " + i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            homes.put("wf-" + i, r.headers().firstValue("x-caravan-engine").orElseThrow());
        }
        String leaving = homes.get("wf-0");
        setReady(leaving, false);
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).doesNotContainKey(leaving).hasSize(2));
        assertThat(registry.byId(leaving)).isEmpty();

        for (Map.Entry<String, String> h : homes.entrySet()) {
            HttpResponse<String> r = chat(h.getKey(), "again");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String now = r.headers().firstValue("x-caravan-engine").orElseThrow();
            if (h.getValue().equals(leaving)) {
                assertThat(now).isNotEqualTo(leaving);
            } else {
                assertThat(now).as("a workflow whose home stayed does not move").isEqualTo(h.getValue());
            }
            JsonNode status = mapper.readTree(get("/v1/workflows/" + h.getKey() + "/status").body());
            assertThat(status.get("assigned_engine").asText()).isEqualTo(now);
        }

        // Ready again under the same name: the same engine id, so rendezvous ranks it as before.
        setReady(leaving, true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).containsEntry(leaving, true).hasSize(3));
    }

    @Test
    @Order(4)
    void aDeletedPodLeavesAndARestartedStatefulSetPodComesBackUnderItsName() throws Exception {
        assertThat(prometheus()).contains("caravan_engine_healthy{engine=\"vllm-1\"} 1.0");
        kube.pods().inNamespace(NS).withName("vllm-1").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).doesNotContainKey("vllm-1"));
        // its gauges leave with it (they read the departed engine); the other engines' stay
        assertThat(prometheus()).doesNotContain("caravan_engine_healthy{engine=\"vllm-1\"}")
                .contains("caravan_engine_healthy{engine=\"vllm-0\"} 1.0");

        // The StatefulSet recreates vllm-1, now on another node and port (simulated engine 3).
        kube.pods().inNamespace(NS).resource(pod("vllm-1", 3, true, null)).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).containsEntry("vllm-1", true));
        assertThat(registry.byId("vllm-1").orElseThrow().url())
                .isEqualTo(URI.create("http://127.0.0.1:" + SIMS.get(3).port()));
        HttpResponse<String> r = chat("after-restart", "hi");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus()).contains("caravan_engine_healthy{engine=\"vllm-1\"} 1.0"));
    }

    @Test
    @Order(5)
    void allPodsGoneMeansUnavailableThenBack() throws Exception {
        for (String name : discovery.discoveredIds()) {
            setReady(name, false);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).isEmpty());
        assertThat(get("/health").statusCode()).isEqualTo(503);
        HttpResponse<String> r = chat("nowhere", "hi");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(mapper.readTree(r.body()).get("error").get("message").asText()).isNotBlank();

        setReady("vllm-0", true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(engines()).containsExactly(Map.entry("vllm-0", true)));
        assertThat(chat("back", "hi").statusCode()).isEqualTo(200);
    }
}
