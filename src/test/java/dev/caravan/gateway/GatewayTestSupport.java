package dev.caravan.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.proxy.EngineCircuitBreakers;
import dev.caravan.engines.EmbeddedSimulatedEngines;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.fixtures.ManagementLogin;
import dev.caravan.simulator.SimulatedEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the end-to-end gateway tests share: the port of the running gateway, its simulated engines
 * and a plain HTTP client. Subclasses carry the same {@code @SpringBootTest} properties so they share
 * one application context.
 */
public abstract class GatewayTestSupport {

    public static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    /** The API port (Vert.x). */
    @LocalServerPort
    protected int port;
    /** The management port (servlet container): actuator, Prometheus, Hawtio, Jolokia. */
    @LocalManagementPort
    protected int managementPort;
    @Autowired
    protected EmbeddedSimulatedEngines simulated;
    @Autowired
    protected EngineRegistry registry;
    @Autowired
    protected EngineHealthMonitor monitor;
    @Autowired
    protected ObjectMapper mapper;
    @Autowired(required = false)
    protected EngineCircuitBreakers breakers;

    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void healEngines() {
        for (SimulatedEngine sim : simulated.simulators()) {
            sim.faults().reset();
        }
        if (breakers != null) {
            breakers.reset();
        }
        monitor.checkAll().join();
    }

    protected List<SimulatedEngine> sims() {
        return simulated.simulators();
    }

    protected URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    protected HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            typed |= headers[i].equalsIgnoreCase("content-type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Anonymous GET on the management port: what Prometheus and the probes do (only health and prometheus answer). */
    protected HttpResponse<String> getManagement(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the management port as the operator (HTTP basic, {@link ManagementLogin}): Hawtio, Jolokia, actuator. */
    protected HttpResponse<String> getManagementAsOperator(String path) throws Exception {
        return http.send(ManagementLogin.asOperator(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    protected JsonNode json(HttpResponse<String> r) throws Exception {
        return mapper.readTree(r.body());
    }

    protected SimulatedEngine simFor(String engineId) {
        List<Engine> engines = simulated.engines();
        for (int i = 0; i < engines.size(); i++) {
            if (engines.get(i).id().equals(engineId)) {
                return simulated.simulators().get(i);
            }
        }
        throw new IllegalArgumentException(engineId);
    }

    protected static String longText(String seed, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(seed).append(i % 97).append(' ');
        }
        return sb.toString();
    }
}
