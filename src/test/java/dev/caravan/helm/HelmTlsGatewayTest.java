package dev.caravan.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import dev.caravan.CaravanApplication;
import dev.caravan.fixtures.SelfSignedKeyStore;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's TLS values start a gateway that serves TLS: the application.yaml the chart renders for
 * {@code tls.api}, {@code tls.management} and {@code tls.broker} is the gateway's configuration, with the
 * Secrets' files (PEM tls.crt/tls.key as a kubernetes.io/tls Secret holds them, a PKCS12 key store for the
 * broker) where the pod would mount them. HTTPS on both HTTP ports, AMQP over TLS on the acceptor.
 */
class HelmTlsGatewayTest {

    @Test
    void theChartsTlsSettingsServeHttpsOnBothPortsAndTlsOnTheBrokerAcceptor() throws Exception {
        SelfSignedKeyStore keys = SelfSignedKeyStore.create();
        Path secret = Files.createTempDirectory("tls-secret");
        writePem(keys, secret);
        String rendered = new Helm(Path.of("helm", "caravan")).template().withName("caravan").withNamespace("llm").withKubeVersion("1.30.0")
                .set("tls.api.secretName", "caravan-tls").set("tls.management.secretName", "caravan-tls")
                .set("tls.broker.secretName", "broker-tls").set("tls.broker.keyStoreKey", keys.path().getFileName().toString())
                .call();
        String applicationYaml = applicationYaml(rendered)
                .replace("/etc/caravan-tls/api/", secret + "/").replace("/etc/caravan-tls/management/", secret + "/")
                .replace("/etc/caravan-tls/broker/", keys.path().getParent() + "/");
        Path config = Files.createTempFile("chart-application", ".yaml");
        Files.writeString(config, applicationYaml);
        Path data = Files.createTempDirectory("tls-broker");
        int acceptorPort = freePort();

        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CaravanApplication.class)
                .web(WebApplicationType.SERVLET).run("--spring.config.additional-location=file:" + config,
                        // what the pod has and a test machine does not: fixed ports, /app/routes, /var/lib, the Secret's env var
                        "--server.port=0", "--management.server.port=0", "--server.address=127.0.0.1",
                        "--caravan.routes-dir=routes", "--caravan.messaging.data-dir=" + data,
                        "--spring.artemis.embedded.data-directory=" + data, "--caravan.messaging.acceptor.host=127.0.0.1",
                        "--caravan.messaging.acceptor.port=" + acceptorPort, "--CARAVAN_BROKER_TLS_PASSWORD=" + keys.password(),
                        "--caravan.simulator.engines=1", "--spring.main.banner-mode=off",
                        "--camel.main.routes-reload-enabled=false")) {
            int api = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
            int management = Integer.parseInt(ctx.getEnvironment().getProperty("local.management.port"));
            HttpClient https = trusting(keys); // generous timeouts: the first handshakes run on a cold JVM
            HttpResponse<String> models = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + api + "/v1/models"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.sslSession().orElseThrow().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
            HttpResponse<String> liveness = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + management
                    + "/actuator/health/liveness")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(liveness.statusCode()).as("the probes' path over HTTPS").isEqualTo(200);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://localhost:" + api + "/v1/models"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);

            String url = "amqps://localhost:" + acceptorPort + "?transport.trustStoreLocation=" + keys.path()
                    + "&transport.trustStorePassword=" + keys.password() + "&transport.storeType=PKCS12";
            try (jakarta.jms.Connection c = new org.apache.qpid.jms.JmsConnectionFactory("caravan", "caravan", url).createConnection()) {
                c.start(); // the TLS handshake and the login succeed
            }
        }
    }

    private static HttpClient trusting(SelfSignedKeyStore keys) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.path())) {
            store.load(in, keys.password().toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** What a kubernetes.io/tls Secret holds: the certificate and its PKCS#8 private key, PEM-encoded. */
    private static void writePem(SelfSignedKeyStore keys, Path dir) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.path())) {
            store.load(in, keys.password().toCharArray());
        }
        Certificate cert = store.getCertificate("gateway");
        java.security.Key key = store.getKey("gateway", keys.password().toCharArray());
        Files.writeString(dir.resolve("tls.crt"), pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(dir.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String applicationYaml(String rendered) {
        for (Object doc : new Yaml().loadAll(rendered)) {
            if (doc instanceof Map<?, ?> m && "ConfigMap".equals(m.get("kind"))
                    && ((Map<?, ?>) m.get("metadata")).get("name").equals("caravan-config")) {
                return (String) ((Map<?, ?>) m.get("data")).get("application.yaml");
            }
        }
        throw new AssertionError("no caravan-config ConfigMap");
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
