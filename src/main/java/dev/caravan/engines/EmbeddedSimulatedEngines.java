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

    /** The model name the seed plan's tests send ({@code "model": "llama"}). */
    public static final String PLAN_MODEL_ALIAS = "llama";

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
        // Several engines in one process: a KV event port asked for means a free one each.
        for (String kv : List.of("kv-events-port", "kv-events-replay-port")) {
            if (opts.containsKey(kv) && Integer.parseInt(opts.get(kv).trim()) >= 0) opts.put(kv, "0");
        }
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
                Engine engine = new Engine("sim-" + i, sim.baseUrl(), Set.copyOf(config.models()),
                        Map.of("simulated", "true"), priority);
                engine.kvEvents(sim.kvEventsEndpoint(), sim.kvEventsReplayEndpoint());
                engines.add(engine);
                if (sim.kvEventsEndpoint() != null) {
                    LOG.info("Simulated engine sim-{} publishes KV events on {} (replay {})", i, sim.kvEventsEndpoint(),
                            sim.kvEventsReplayEndpoint());
                }
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

    /**
     * The model aliases in force: {@code configured}, plus, while simulated engines stand in for real ones,
     * {@value #PLAN_MODEL_ALIAS} for the simulated model, so that the seed plan's tests (which send
     * {@code "model": "llama"}) pass against the embedded default unchanged. Not added with configured engines
     * (a real engine may serve a model of that name), when the configuration names {@value #PLAN_MODEL_ALIAS}
     * itself (as an alias or a model), or when a simulated engine serves that name.
     */
    public List<EngineProperties.ModelAlias> withPlanAlias(List<EngineProperties.ModelAlias> configured) {
        if (running.isEmpty()) {
            return configured;
        }
        for (EngineProperties.ModelAlias e : configured) {
            if (PLAN_MODEL_ALIAS.equals(e.getModel()) || e.getAliases().contains(PLAN_MODEL_ALIAS)) {
                return configured;
            }
        }
        for (SimulatedEngine sim : running) {
            if (sim.config().models().contains(PLAN_MODEL_ALIAS)) {
                return configured;
            }
        }
        EngineProperties.ModelAlias plan = new EngineProperties.ModelAlias();
        plan.setModel(running.get(0).config().primaryModel());
        plan.setAliases(List.of(PLAN_MODEL_ALIAS));
        List<EngineProperties.ModelAlias> all = new ArrayList<>(configured);
        all.add(plan);
        LOG.info("Simulated engines: '{}' is an alias of '{}' (the seed plan's test model)", PLAN_MODEL_ALIAS, plan.getModel());
        return List.copyOf(all);
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
