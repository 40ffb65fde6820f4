package dev.caravan.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.fixtures.ManagementLogin;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One application context shared by the messaging tests: a persistent journal in a temp
 * directory, the native acceptor on a free loopback port, and small limits so DLQ, expiry and
 * queue-full behaviour show within seconds.
 */
@CamelSpringBootTest
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class MessagingTestSupport {

    static final Path DATA_DIR = tempDir();
    static final int NATIVE_PORT = freePort();
    static final int MAX_QUEUE_BYTES = 256 * 1024;
    static final int MAX_DELIVERY_ATTEMPTS = 2;

    @DynamicPropertySource
    static void messagingProperties(DynamicPropertyRegistry registry) {
        registry.add("caravan.messaging.data-dir", DATA_DIR::toString);
        // The test defaults (config/application.yaml) switch the acceptor off; these tests need it, on a free port.
        registry.add("caravan.messaging.acceptor.enabled", () -> true);
        registry.add("caravan.messaging.acceptor.host", () -> "127.0.0.1");
        registry.add("caravan.messaging.acceptor.port", () -> NATIVE_PORT);
        registry.add("caravan.messaging.max-queue-bytes", () -> MAX_QUEUE_BYTES);
        registry.add("caravan.messaging.max-delivery-attempts", () -> MAX_DELIVERY_ATTEMPTS);
        registry.add("caravan.messaging.expiry-scan-period-ms", () -> 200);
        registry.add("caravan.messaging.stream-heartbeat", () -> "500ms");
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    ObjectMapper mapper;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static String newWorkflow() {
        return "wf-" + UUID.randomUUID().toString().substring(0, 8);
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    JsonNode json(HttpResponse<String> response) {
        try {
            return mapper.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends and asserts 200; returns the receipt. */
    JsonNode sendMessage(String workflow, String body) {
        HttpResponse<String> response = post("/v1/workflows/" + workflow + "/messages", body);
        if (response.statusCode() != 200) {
            throw new AssertionError("send answered " + response.statusCode() + ": " + response.body());
        }
        return json(response);
    }

    JsonNode poll(String workflow, String agent, String query) {
        HttpResponse<String> response = get("/v1/workflows/" + workflow + "/agents/" + agent + "/messages" + query);
        if (response.statusCode() != 200) {
            throw new AssertionError("poll answered " + response.statusCode() + ": " + response.body());
        }
        return json(response);
    }

    /** GET on the management port (actuator) as the operator ({@link ManagementLogin}). */
    HttpResponse<String> getManagement(String path) {
        return send(ManagementLogin.asOperator(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)))
                .GET().build());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("caravan-msg-test-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A started Qpid JMS (AMQP 1.0) connection to a native acceptor on loopback. */
    static Connection amqp(int port, String user, String password) throws JMSException {
        Connection connection = new JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + port).createConnection();
        connection.start();
        return connection;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
