package dev.caravan.bench.routing;

import dev.caravan.CaravanApplication;
import dev.caravan.engines.EmbeddedSimulatedEngines;
import dev.caravan.simulator.SimulatedEngine;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One fresh gateway (its own Spring context on a free port) with its own fresh simulated engines,
 * configured for one policy: nothing learnt under one policy can help another.
 */
final class GatewayUnderTest implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final URI baseUrl;
    private final List<SimulatedEngine> simulators;

    private GatewayUnderTest(ConfigurableApplicationContext context) {
        this.context = context;
        this.baseUrl = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
        this.simulators = context.getBean(EmbeddedSimulatedEngines.class).simulators();
    }

    static GatewayUnderTest start(PolicyUnderTest policy, int engines, Map<String, String> engineOptions,
                                  Map<String, String> extra) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", "0");
        p.put("management.server.port", "0");
        p.put("server.shutdown", "immediate");
        p.put("spring.main.banner-mode", "off");
        p.put("spring.jmx.enabled", "false");
        p.put("logging.level.root", "WARN");
        p.put("logging.level.dev.caravan", "WARN");
        p.put("camel.main.routes-reload-enabled", "false");
        p.put("camel.main.jmx-enabled", "false");
        p.put("caravan.simulator.engines", String.valueOf(engines));
        engineOptions.forEach((k, v) -> p.put("caravan.simulator.options." + k, v));
        p.put("caravan.routing.plain-policy", policy.plainPolicy());
        p.put("caravan.workflow-support.routing.strategy", policy.workflowPolicy());
        // Every policy sees engine queues and KV usage at the same freshness (llm-d scrapes every
        // 50 ms, production-stack every 30 s; 200 ms is in between and cheap on two cores).
        p.put("caravan.engine-client.scrape-interval", "200ms");
        p.putAll(extra);
        // As command-line arguments: they outrank application.yaml (default properties would not, and
        // its fixed port may be taken on a shared machine).
        String[] args = p.entrySet().stream().map(en -> "--" + en.getKey() + "=" + en.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CaravanApplication.class)
                .web(WebApplicationType.SERVLET).run(args);
        return new GatewayUnderTest(ctx);
    }

    URI baseUrl() { return baseUrl; }
    List<SimulatedEngine> simulators() { return simulators; }

    @Override
    public void close() { context.close(); }
}
