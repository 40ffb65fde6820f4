package dev.caravan.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the health checks conclude from an engine's /health, /metrics and /v1/models answers. */
class EngineHealthMonitorTest {

    private HttpServer server;
    private final AtomicInteger modelsStatus = new AtomicInteger(200);
    private final AtomicInteger modelsReads = new AtomicInteger();
    private final AtomicReference<String> modelsBody = new AtomicReference<>(models("m"));
    private final EngineProperties.Client config = new EngineProperties.Client();
    private final EngineRegistry registry = new EngineRegistry();
    private Engine engine;
    private EngineHealthMonitor monitor;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", x -> answer(x, 200, ""));
        server.createContext("/metrics", x -> answer(x, 200, "vllm:num_requests_running{model_name=\"m\"} 0\n"));
        server.createContext("/v1/models", x -> {
            modelsReads.incrementAndGet();
            answer(x, modelsStatus.get(), modelsStatus.get() == 200 ? modelsBody.get() : "{}");
        });
        server.start();
        engine = new Engine("e", URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Set.of(), Map.of(), false);
        registry.add(engine, null);
        config.setUnhealthyThreshold(1);
        monitor = new EngineHealthMonitor(registry, HttpClient.newHttpClient(), config, new ObjectMapper());
    }

    private static void answer(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
        x.close();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anEngineComesInWithTheModelsItLists() {
        monitor.checkAll().join();
        assertThat(engine.isHealthy()).isTrue();
        assertThat(engine.servedModels()).containsExactly("m");
        assertThat(engine.serves("other")).isFalse();
    }

    @Test
    void configuredModelsNeedNoModelList() {
        Engine configured = new Engine("c", engine.url(), Set.of("m", "alias"), Map.of(), false);
        registry.add(configured, null);
        modelsStatus.set(404); // an OpenAI-compatible server without /v1/models, or a stub
        monitor.checkAll().join();
        assertThat(configured.isHealthy()).isTrue();
        assertThat(configured.servedModels()).containsExactlyInAnyOrder("m", "alias");
    }

    @Test
    void anEngineWhoseModelsCannotBeReadStaysOutRatherThanServeEveryModel() {
        // e.g. still loading, or /v1/models behind a key the gateway lacks: an empty list would mean "serves anything"
        modelsStatus.set(503);
        monitor.checkAll().join();
        assertThat(engine.isHealthy()).isFalse();
        modelsStatus.set(200);
        monitor.checkAll().join();
        assertThat(engine.isHealthy()).isTrue();
        assertThat(engine.servedModels()).containsExactly("m");
    }

    @Test
    void aHealthyEnginesModelListIsReadAgainOnItsRefreshInterval() {
        monitor.checkAll().join();
        assertThat(engine.servedModels()).containsExactly("m");
        modelsBody.set(models("m", "sql-lora")); // vLLM after POST /v1/load_lora_adapter
        monitor.checkAll().join();
        assertThat(engine.servedModels()).as("not due yet (30 s by default)").containsExactly("m");
        assertThat(modelsReads.get()).isEqualTo(1);

        config.setModelsRefreshInterval(Duration.ZERO);
        monitor.checkAll().join();
        assertThat(engine.servedModels()).containsExactlyInAnyOrder("m", "sql-lora");
        assertThat(engine.serves("sql-lora")).isTrue();

        modelsBody.set(models("other")); // restarted with another model between two health checks
        monitor.checkAll().join();
        assertThat(engine.servedModels()).containsExactly("other");
        assertThat(engine.serves("m")).isFalse();
    }

    @Test
    void aFailedRefreshKeepsTheListAndTheEngine() {
        monitor.checkAll().join();
        config.setModelsRefreshInterval(Duration.ZERO);
        modelsStatus.set(500);
        monitor.checkAll().join();
        assertThat(engine.isHealthy()).as("/health and /metrics decide health").isTrue();
        assertThat(engine.servedModels()).containsExactly("m");
    }

    private static String models(String... ids) {
        StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < ids.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\",\"object\":\"model\"}");
        }
        return b.append("]}").toString();
    }
}
