package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.CaravanApplication;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A stopped gateway leaves nothing of itself in Micrometer's static global registry, where Spring Boot
 * puts every registry it creates: the gauges there would keep the whole gateway reachable.
 */
class GlobalRegistryReleaseTest {

    @Test
    void aStoppedGatewaysRegistriesLeaveTheGlobalRegistry() {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--caravan.messaging.acceptor.enabled=false",
                "--spring.jmx.enabled=false", "--camel.main.jmx-enabled=false", "--spring.main.banner-mode=off",
                "--caravan.messaging.data-dir=target/global-registry-" + System.nanoTime());
        List<MeterRegistry> own = List.copyOf(app.getBeansOfType(MeterRegistry.class).values());
        assertThat(Metrics.globalRegistry.getRegistries()).as("Spring Boot's default: registries join the global one")
                .containsAnyElementsOf(own);
        app.close();
        assertThat(Metrics.globalRegistry.getRegistries()).as("after the gateway stopped").doesNotContainAnyElementsOf(own);
    }
}
