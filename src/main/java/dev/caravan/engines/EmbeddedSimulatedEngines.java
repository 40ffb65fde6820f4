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
 * its own seed so that they do not jitter in lockstep, and, from {@code caravan.simulator.engine-speeds},
 * its own speed, so that a cluster of unequal GPUs can be simulated.
 */
public class EmbeddedSimulatedEngines implements SimulatedEngineSource, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSimulatedEngines.class);

    private final List<SimulatedEngine> running = new ArrayList<>();
    private final List<Engine> engines = new ArrayList<>();

    public EmbeddedSimulatedEngines(EngineProperties properties, int count, Map<String, String> options) {
        this(properties, count, options, List.of());
    }

    /**
     * @param speeds each engine's {@code --speed}, round-robin (engine i gets {@code speeds[i % size]});
     *               empty leaves every engine at the speed of {@code options} (default 1.0)
     */
    public EmbeddedSimulatedEngines(EngineProperties properties, int count, Map<String, String> options,
                                    List<Double> speeds) {
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
                if (!speeds.isEmpty()) {
                    args.add("--speed=" + speeds.get(i % speeds.size())); // last, so it wins over a common --speed
                }
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

    /**
     * Parses {@code caravan.simulator.engine-speeds}: a comma list of positive factors, blank for none.
     * A bad entry fails the gateway's start naming the property, rather than running a cluster of equal engines.
     */
    public static List<Double> parseSpeeds(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        List<Double> speeds = new ArrayList<>();
        for (String part : list.split(",")) {
            String entry = part.trim();
            double speed;
            try {
                speed = Double.parseDouble(entry);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("caravan.simulator.engine-speeds: '" + entry + "' is not a number (e.g. 1.0,0.4)", e);
            }
            if (!(speed > 0) || !Double.isFinite(speed)) {
                throw new IllegalArgumentException("caravan.simulator.engine-speeds: " + entry + " is not a positive speed factor");
            }
            speeds.add(speed);
        }
        return List.copyOf(speeds);
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
