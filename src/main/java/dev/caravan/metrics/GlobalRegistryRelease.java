package dev.caravan.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;

/**
 * Takes the gateway's meter registries out of Micrometer's static {@link Metrics#globalRegistry} when the
 * gateway stops. Spring Boot adds them there ({@code management.metrics.use-global-registry}, on by default)
 * and never removes them, so a stopped gateway stayed reachable through them for the life of the JVM: their
 * gauges hold the prefix index, the broker and every bean those reach. JFR's old-object samples of a JVM that
 * had started and stopped three gateways traced half their retained samples to this path. One gateway per
 * JVM only leaks at exit; tests and benchmarks that start several did not get that memory back.
 */
final class GlobalRegistryRelease implements DisposableBean {

    private final List<MeterRegistry> registries;

    GlobalRegistryRelease(List<MeterRegistry> registries) {
        this.registries = registries;
    }

    @Override
    public void destroy() {
        registries.forEach(Metrics::removeRegistry);
    }
}
