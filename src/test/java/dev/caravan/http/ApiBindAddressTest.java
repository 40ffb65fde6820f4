package dev.caravan.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.CaravanApplication;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
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
    void anAcceptedKeyIsRemovedBeforeTheRoutesAndTheEngine() {
        io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer k1");
        io.vertx.core.http.HttpServerRequest request = org.mockito.Mockito.mock(io.vertx.core.http.HttpServerRequest.class);
        org.mockito.Mockito.when(request.headers()).thenReturn(headers);
        org.mockito.Mockito.when(request.getHeader("Authorization")).thenAnswer(i -> headers.get("Authorization"));
        io.vertx.ext.web.RoutingContext ctx = org.mockito.Mockito.mock(io.vertx.ext.web.RoutingContext.class);
        org.mockito.Mockito.when(ctx.request()).thenReturn(request);

        new ApiKeyCheck(new ApiKeys(List.of("k1")), new ObjectMapper(), new ErrorResponseMetrics(new SimpleMeterRegistry()))
                .handle(ctx);
        org.mockito.Mockito.verify(ctx).next();
        assertThat(headers.contains("Authorization")).isFalse();
    }
}
