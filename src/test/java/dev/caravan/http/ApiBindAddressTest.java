package dev.caravan.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.CaravanApplication;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Where the API may listen without keys, and that an accepted key is not passed on. */
class ApiBindAddressTest {

    @Test
    void withoutKeysOnlyLoopbackUnlessAnonymousIsAllowed() {
        assertThat(ApiBindAddress.choose(null, false, false)).isEqualTo("127.0.0.1");
        assertThat(ApiBindAddress.choose("", false, false)).isEqualTo("127.0.0.1");
        assertThat(ApiBindAddress.choose("localhost", false, false)).isEqualTo("localhost");
        assertThat(ApiBindAddress.choose("::1", false, false)).isEqualTo("::1");
        assertThatThrownBy(() -> ApiBindAddress.choose("0.0.0.0", false, false))
                .hasMessageContaining("caravan.security.api-keys").hasMessageContaining("allow-anonymous");
        assertThat(ApiBindAddress.choose("0.0.0.0", false, true)).isEqualTo("0.0.0.0");
        assertThat(ApiBindAddress.choose(null, false, true)).isEqualTo("0.0.0.0");
        assertThat(ApiBindAddress.choose(null, true, false)).isEqualTo("0.0.0.0");
        assertThat(ApiBindAddress.choose("10.1.2.3", true, false)).isEqualTo("10.1.2.3");
    }

    @Test
    void theGatewayRefusesToOpenItsApiWithoutKeys() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).web(WebApplicationType.SERVLET)
                .run("--server.port=0", "--management.server.port=0", "--server.address=0.0.0.0",
                        "--caravan.messaging.acceptor.enabled=false", "--spring.main.banner-mode=off",
                        "--caravan.messaging.data-dir=target/bind-refused-" + System.nanoTime()).close())
                .hasStackTraceContaining("without API keys");
    }

    @Test
    void anAcceptedKeyIsRemovedBeforeTheRoutesAndTheEngine() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            router.route("/v1/*").handler(new ApiKeyCheck(new ApiKeys(List.of("k1")), new ObjectMapper(),
                    new ErrorResponseMetrics(new SimpleMeterRegistry())));
            router.route("/v1/*").handler(ctx -> ctx.response().end(String.valueOf(ctx.request().getHeader("Authorization"))));
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            HttpClient client = vertx.createHttpClient();
            String seen = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/v1/models")
                    .compose(req -> req.putHeader("Authorization", "Bearer k1").send())
                    .compose(res -> res.body()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
            assertThat(seen).isEqualTo("null");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
