package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Operators edit the YAML routes of a running gateway: an edited route takes effect without a
 * restart, and a new route file adds an endpoint. Runs on a copy of routes/ so the real files are
 * never touched.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1"})
class RouteReloadTest extends GatewayTestSupport {

    static final Path ROUTES = copyOfRoutes();

    static Path copyOfRoutes() {
        try {
            Path dir = Files.createTempDirectory("caravan-routes");
            try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.yaml")) {
                for (Path f : files) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void routesDir(DynamicPropertyRegistry registry) {
        registry.add("caravan.routes-dir", ROUTES::toString);
    }

    @Test
    void editedRouteTakesEffectWithoutRestart() throws Exception {
        assertThat(get("/v1/models").headers().firstValue("x-route-version")).isEmpty();

        Path file = ROUTES.resolve("engines.camel.yaml");
        String original = "            id: modelsOfAllEngines\n            ref: listModels\n";
        String edited = Files.readString(file).replace(original, original + """
                        - setHeader:
                            id: markVersion
                            name: x-route-version
                            expression:
                              constant:
                                expression: "2"
                """);
        assertThat(edited).contains("x-route-version");
        Files.writeString(file, edited);

        assertThat(awaitHeader("/v1/models", "x-route-version")).isEqualTo("2");
        assertThat(get("/v1/models").statusCode()).isEqualTo(200);
    }

    @Test
    void newRouteFileAddsAnEndpoint() throws Exception {
        Files.writeString(ROUTES.resolve("probe.camel.yaml"), """
                - route:
                    id: reloadProbe
                    routeConfigurationId: errors
                    from:
                      uri: platform-http:/v1/reload-probe
                      steps:
                        - setBody:
                            id: probeBody
                            expression:
                              constant:
                                expression: probe-ok
                """);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> r = get("/v1/reload-probe");
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = get("/v1/reload-probe");
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("probe-ok");
    }

    private String awaitHeader(String path, String header) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var v = get(path).headers().firstValue(header);
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(200);
        }
        return null;
    }
}
