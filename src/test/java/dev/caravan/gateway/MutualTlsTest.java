package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.fixtures.SelfSignedKeyStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code server.ssl.client-auth=need} on the API port: a client with a certificate the bundle's trust store
 * vouches for gets in, one without is refused in the handshake (mutual TLS, as Spring Boot's own servers do it).
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "server.ssl.bundle=caravan-mtls",
        "server.ssl.client-auth=need"})
class MutualTlsTest extends GatewayTestSupport {

    static final SelfSignedKeyStore KEYS = SelfSignedKeyStore.create();
    /** A trust store holding the certificate as a trusted entry (a key entry alone anchors no trust). */
    static final java.nio.file.Path TRUST = trustStore();

    @DynamicPropertySource
    static void bundle(DynamicPropertyRegistry registry) {
        String location = KEYS.path().toUri().toString();
        registry.add("spring.ssl.bundle.jks.caravan-mtls.keystore.location", () -> location);
        registry.add("spring.ssl.bundle.jks.caravan-mtls.keystore.password", KEYS::password);
        registry.add("spring.ssl.bundle.jks.caravan-mtls.keystore.type", () -> "PKCS12");
        // the client presents the same self-signed certificate: the trust store vouches for it
        registry.add("spring.ssl.bundle.jks.caravan-mtls.truststore.location", () -> TRUST.toUri().toString());
        registry.add("spring.ssl.bundle.jks.caravan-mtls.truststore.password", KEYS::password);
        registry.add("spring.ssl.bundle.jks.caravan-mtls.truststore.type", () -> "PKCS12");
    }

    @Test
    void onlyClientsWithATrustedCertificateGetIn() throws Exception {
        HttpRequest models = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/models"))
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> withCertificate = client(true).send(models, HttpResponse.BodyHandlers.ofString());
        assertThat(withCertificate.statusCode()).isEqualTo(200);
        assertThat(withCertificate.body()).contains(MODEL);

        assertThatThrownBy(() -> client(false).send(models, HttpResponse.BodyHandlers.ofString()))
                .as("no client certificate").isInstanceOf(java.io.IOException.class);
    }

    private static KeyStore keyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(KEYS.path())) {
            store.load(in, KEYS.password().toCharArray());
        }
        return store;
    }

    private static java.nio.file.Path trustStore() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("gateway", keyStore().getCertificate("gateway"));
            java.nio.file.Path file = KEYS.path().resolveSibling("trust.p12");
            try (var out = Files.newOutputStream(file)) {
                trust.store(out, KEYS.password().toCharArray());
            }
            return file;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpClient client(boolean withCertificate) throws Exception {
        KeyStore store = keyStore();
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(KeyStore.getInstance(TRUST.toFile(), KEYS.password().toCharArray()));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, KEYS.password().toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(30)).build();
    }
}
