package dev.caravan.http.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.CaravanApplication;
import dev.caravan.fixtures.ManagementLogin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The management account's other settings, on a gateway of its own: no password configured (one is
 * generated and logged once at WARN) and Prometheus behind the login. Encoded passwords:
 * {@link ManagementUserTest}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ManagementAccountTest {

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static ConfigurableApplicationContext start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--spring.main.banner-mode=off", "--caravan.messaging.acceptor.enabled=false",
                "--caravan.messaging.data-dir=" + Files.createTempDirectory("mgmt-broker"),
                "--caravan.simulator.engines=1", "--camel.main.routes-reload-enabled=false",
                // the Prometheus registry, as outside tests (Boot's test support turns it off otherwise)
                "--management.prometheus.metrics.export.enabled=true"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(CaravanApplication.class).web(WebApplicationType.SERVLET)
                .run(args.toArray(String[]::new));
    }

    int status(ConfigurableApplicationContext ctx, String path, String authorization) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.management.port") + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void withoutAPasswordOneIsGeneratedAndLoggedOnceAtWarnAndProtectPrometheusNeedsIt(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext ctx = start("--caravan.management.password=",
                "--caravan.management.protect-prometheus=true", "--management.endpoint.health.probes.enabled=true")) {
            Matcher m = Pattern.compile("WARN .*ManagementUser.*\\R+Using generated management password for user 'admin': (\\S+)")
                    .matcher(output.getOut());
            assertThat(m.find()).as("a WARN line with the generated password").isTrue();
            String generated = m.group(1);
            assertThat(generated).hasSizeGreaterThanOrEqualTo(20);
            assertThat(m.find()).as("logged once").isFalse();
            assertThat(output.getOut()).doesNotContain("Using generated security password"); // Spring Boot's own user: none

            assertThat(status(ctx, "/actuator/metrics", ManagementLogin.basic("admin", generated))).isEqualTo(200);
            assertThat(status(ctx, "/actuator/metrics", ManagementLogin.basic("admin", generated + "x"))).isEqualTo(401);
            assertThat(status(ctx, "/actuator/metrics", null)).isEqualTo(401);

            // protect-prometheus: scrapers use basic auth; the probes stay open
            assertThat(status(ctx, "/actuator/prometheus", null)).isEqualTo(401);
            assertThat(status(ctx, "/actuator/prometheus", ManagementLogin.basic("admin", "wrong"))).isEqualTo(401);
            assertThat(status(ctx, "/actuator/prometheus", ManagementLogin.basic("admin", generated))).isEqualTo(200);
            assertThat(status(ctx, "/actuator/health", null)).isEqualTo(200);
            assertThat(status(ctx, "/actuator/health/liveness", null)).isEqualTo(200);
            assertThat(status(ctx, "/actuator/health/readiness", null)).isEqualTo(200);
        }
    }
}
