package dev.caravan.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway told to stop (what Kubernetes' SIGTERM does) lets a stream in flight finish to its
 * last event, answers new requests 503 meanwhile, then stops.
 */
class GracefulShutdownTest {

    @Test
    void aStreamInFlightFinishesWhileNewRequestsAreRefused() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CaravanApplication.class)
                .web(WebApplicationType.SERVLET).run("--server.port=0", "--management.server.port=0",
                        "--spring.main.banner-mode=off", "--caravan.messaging.acceptor.enabled=false",
                        "--caravan.messaging.data-dir=" + Files.createTempDirectory("drain-broker"),
                        "--caravan.simulator.engines=1", "--caravan.simulator.options.time-scale=1",
                        "--spring.lifecycle.timeout-per-shutdown-phase=20s", "--caravan.shutdown.drain-timeout=19s", "--camel.main.routes-reload-enabled=false");
        URI api = URI.create("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String chat = "{\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"stream\":true,\"max_tokens\":600,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a long answer\"}]}";
        // 600 tokens at the simulated 8B-on-H100 pace: several seconds, so shutdown begins mid-stream
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(api.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        InputStream body = stream.body();
        byte[] first = new byte[64];
        assertThat(body.read(first)).isPositive(); // the stream has started

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(ctx::close);
        HttpResponse<String> refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/v1/models")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503) {
                refused = r;
            } else {
                Thread.sleep(20);
            }
        }
        assertThat(refused).as("a new request during shutdown").isNotNull();
        assertThat(new ObjectMapper().readTree(refused.body()).at("/error/code").asText()).isEqualTo("server_shutting_down");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(http.send(HttpRequest.newBuilder(api.resolve("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);

        String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(rest).as("the stream ran to its end").contains("data: [DONE]");
        stopping.get(30, TimeUnit.SECONDS);
        assertThat(ctx.isActive()).isFalse();
    }
}
