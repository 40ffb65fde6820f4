package dev.caravan.engines;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine list, the HTTP client that talks to engines, and the monitor that watches them. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({EngineProperties.class, KubernetesDiscoveryProperties.class})
public class EnginesConfiguration {

    /** Health and metrics scrapes chain asynchronous calls: they keep a pool of their own. */
    @Bean
    HttpClient engineMonitorHttpClient(EngineProperties properties) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.getEngineClient().getConnectTimeout())
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "caravan-engine-monitor-io");
                    t.setDaemon(true);
                    return t;
                }))
                .build();
    }

    @Bean
    EngineRegistry engineRegistry(EngineProperties properties, List<SimulatedEngineSource> simulated) {
        EngineRegistry registry = new EngineRegistry();
        List<EngineProperties.EngineEntry> entries = properties.getEngines();
        for (int i = 0; i < entries.size(); i++) {
            EngineProperties.EngineEntry e = entries.get(i);
            if (e.getUrl() == null || e.getUrl().isBlank()) {
                throw new IllegalArgumentException("caravan.engines[" + i + "].url is required");
            }
            String url = e.getUrl().endsWith("/") ? e.getUrl().substring(0, e.getUrl().length() - 1) : e.getUrl();
            String id = e.getId() != null ? e.getId() : "engine-" + i;
            Engine engine = new Engine(id, URI.create(url), new HashSet<>(e.getModels()), e.getLabels(),
                    e.isPriorityScheduling(), e.getKvCacheTokens());
            engine.kvEvents(blankToNull(e.getKvEvents().getEndpoint()), blankToNull(e.getKvEvents().getReplayEndpoint()));
            registry.add(engine, e.getApiKey());
        }
        if (entries.isEmpty()) {
            for (SimulatedEngineSource source : simulated) {
                source.engines().forEach(engine -> registry.add(engine, null));
            }
        }
        return registry;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /**
     * Other names clients may use for served models; checked at start (an alias naming two models stops it).
     * With the embedded simulated engines the seed plan's {@code llama} is one too ({@link EmbeddedSimulatedEngines#withPlanAlias}).
     */
    @Bean
    ModelAliases modelAliases(EngineProperties properties, EmbeddedSimulatedEngines simulated) {
        return new ModelAliases(simulated.withPlanAlias(properties.getModelAliases()));
    }

    @Bean
    @ConfigurationProperties(prefix = "caravan.simulator.options")
    Map<String, String> simulatorOptions() {
        return new LinkedHashMap<>();
    }

    @Bean
    EmbeddedSimulatedEngines embeddedSimulatedEngines(EngineProperties properties,
            KubernetesDiscoveryProperties discovery,
            @Value("${caravan.simulator.engines:2}") int count,
            @Qualifier("simulatorOptions") Map<String, String> simulatorOptions,
            @Value("${caravan.simulator.engine-speeds:}") String engineSpeeds) {
        // Discovered engines are the fleet: no simulated engines beside them, even before the first pod.
        return new EmbeddedSimulatedEngines(properties, discovery.isEnabled() ? 0 : count, simulatorOptions,
                EmbeddedSimulatedEngines.parseSpeeds(engineSpeeds));
    }

    @Bean
    EngineHealthMonitor engineHealthMonitor(EngineRegistry registry,
            @Qualifier("engineMonitorHttpClient") HttpClient engineMonitorHttpClient,
            EngineProperties properties, ObjectMapper mapper) {
        EngineHealthMonitor monitor = new EngineHealthMonitor(registry, engineMonitorHttpClient,
                properties.getEngineClient(), mapper);
        registry.addListener(monitor);
        return monitor;
    }
}
