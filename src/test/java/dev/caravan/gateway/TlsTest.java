package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import dev.caravan.fixtures.SelfSignedKeyStore;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * TLS on the API port ({@code server.ssl.*}, served by Vert.x) and on the management port
 * ({@code management.server.ssl.*}, Spring Boot's own), both from one Spring SSL bundle over a
 * PKCS12 key store made by the JDK's keytool, and on the broker's native acceptor
 * ({@code caravan.messaging.acceptor.tls.*}): TLS clients get in, plain ones on the same ports do not.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "server.ssl.bundle=caravan-test",
        "management.server.ssl.bundle=caravan-test"})
class TlsTest extends GatewayTestSupport {

    static final SelfSignedKeyStore KEYS = SelfSignedKeyStore.create();
    static final int NATIVE_PORT = freePort();

    @DynamicPropertySource
    static void bundle(DynamicPropertyRegistry registry) {
        registry.add("spring.ssl.bundle.jks.caravan-test.keystore.location", () -> KEYS.path().toUri().toString());
        registry.add("spring.ssl.bundle.jks.caravan-test.keystore.password", KEYS::password);
        registry.add("spring.ssl.bundle.jks.caravan-test.keystore.type", () -> "PKCS12");
        registry.add("caravan.messaging.acceptor.enabled", () -> true);
        registry.add("caravan.messaging.acceptor.host", () -> "127.0.0.1");
        registry.add("caravan.messaging.acceptor.port", () -> NATIVE_PORT);
        registry.add("caravan.messaging.acceptor.tls.enabled", () -> true);
        registry.add("caravan.messaging.acceptor.tls.key-store", () -> KEYS.path().toString());
        registry.add("caravan.messaging.acceptor.tls.key-store-password", KEYS::password);
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void apiAndManagementPortsServeHttpsWithTheConfiguredCertificate() throws Exception {
        HttpClient https = KEYS.trustingClient();
        HttpResponse<String> models = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/models"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains(MODEL);
        assertThat(models.sslSession()).isPresent();
        assertThat(models.sslSession().get().getPeerPrincipal().getName()).isEqualTo("CN=localhost");

        String chat = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"stream\":true}";
        HttpResponse<String> streamed = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(chat)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("data: [DONE]");

        HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/actuator/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri("/v1/models")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString())).as("plain HTTP on the TLS port").isInstanceOf(java.io.IOException.class);
    }

    /** The request head limits hold on the HTTPS port too: the 431 comes in OpenAI format inside TLS. */
    @Test
    void overLongHeadersOverHttpsGetTheOpenAiError() throws Exception {
        HttpResponse<String> r = KEYS.trustingClient().send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/models"))
                .header("X-Filler", "h".repeat(9 * 1024)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(431);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("request_header_fields_too_large");
    }

    /** A JMS agent over amqps:// sends through the TLS acceptor; a REST agent receives it; plain amqp:// is refused. */
    @Test
    void nativeAgentsConnectOverTlsToTheBrokerAcceptor() throws Exception {
        String wf = "tls-" + java.util.UUID.randomUUID();
        String url = "amqps://localhost:" + NATIVE_PORT + "?transport.trustStoreLocation=" + KEYS.path()
                + "&transport.trustStorePassword=" + KEYS.password() + "&transport.storeType=PKCS12";
        try (jakarta.jms.Connection c = new org.apache.qpid.jms.JmsConnectionFactory("caravan", "caravan", url).createConnection()) {
            jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.TextMessage m = session.createTextMessage("{\"over\":\"tls\"}");
            session.createProducer(session.createQueue("caravan.workflow." + wf + ".agent.reader")).send(m);
        }
        HttpClient https = KEYS.trustingClient();
        HttpResponse<String> polled = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port
                + "/v1/workflows/" + wf + "/agents/reader/messages?timeout=5")).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(polled.statusCode()).isEqualTo(200);
        assertThat(polled.body()).contains("tls");

        assertThatThrownBy(() -> {
            try (jakarta.jms.Connection plain = new org.apache.qpid.jms.JmsConnectionFactory("caravan", "caravan",
                    "amqp://localhost:" + NATIVE_PORT + "?jms.connectTimeout=2000&transport.connectTimeout=2000").createConnection()) {
                plain.start();
            }
        }).as("plain AMQP on the TLS acceptor").isInstanceOf(jakarta.jms.JMSException.class);
    }
}
