package dev.caravan.engines;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * With no engine configured, the gateway starts simulated vLLM engines in-process on free
 * loopback ports, so that a fresh checkout serves completions with one command. Each engine gets
 * its own seed so that they do not jitter in lockstep.
 */
public class EmbeddedSimulatedEngines implements SimulatedEngineSource, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSimulatedEngines.class);

    private final List<SimulatedEngine> running = new ArrayList<>();
    private final List<Engine> engines = new ArrayList<>();

    public EmbeddedSimulatedEngines(EngineProperties properties, int count, Map<String, String> options) {
        if (!properties.getEngines().isEmpty() || count <= 0) {
            return;
        }
        Map<String, String> opts = new LinkedHashMap<>(options);
        long seed = Long.parseLong(opts.getOrDefault("seed", "42"));
        opts.remove("seed");
        opts.remove("port");
        try {
            for (int i = 0; i < count; i++) {
                List<String> args = new ArrayList<>();
                opts.forEach((k, v) -> args.add("--" + k + "=" + v));
                args.add("--port=0");
                args.add("--seed=" + (seed + i));
                SimulatorConfig config = SimulatorConfig.fromArgs(args.toArray(String[]::new));
                SimulatedEngine sim = SimulatedEngine.start(config);
                running.add(sim);
                boolean priority = "priority".equalsIgnoreCase(opts.get("scheduling-policy"));
                engines.add(new Engine("sim-" + i, sim.baseUrl(), Set.copyOf(config.models()),
                        Map.of("simulated", "true"), priority));
                LOG.info("No engines configured: started simulated vLLM engine sim-{} at {}", i, sim.baseUrl());
            }
        } catch (IOException e) {
            destroy();
            throw new UncheckedIOException("Could not start simulated engines", e);
        }
    }

    @Override
    public List<Engine> engines() {
        return engines;
    }

    /** The running simulators, in the order of {@link #engines()}: tests use them to inject faults. */
    public List<SimulatedEngine> simulators() {
        return running;
    }

    @Override
    public void destroy() {
        running.forEach(SimulatedEngine::close);
    }
}
