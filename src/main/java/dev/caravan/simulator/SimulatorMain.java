package dev.caravan.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one simulated engine as its own process: {@code --name=value} for every
 * {@link SimulatorConfig} field (see {@code docs/simulator.md}), {@code --help} to list them.
 * Without {@code --port} it listens on 8000, vLLM's default.
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println("Caravan vLLM engine simulator. Options (--name=value):");
            SimulatorConfig.optionNames().forEach(n -> System.out.println("  --" + n));
            System.out.println("Defaults: " + SimulatorConfig.defaults());
            return;
        }
        List<String> options = new ArrayList<>(Arrays.asList(args));
        if (options.stream().noneMatch(a -> a.startsWith("--port="))) {
            options.add(0, "--port=8000");
        }
        SimulatorConfig config;
        try {
            config = SimulatorConfig.fromArgs(options.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            System.err.println("simulator: " + e.getMessage());
            System.exit(2);
            return;
        }
        SimulatedEngine engine = SimulatedEngine.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("vLLM simulator listening on " + engine.baseUrl() + " serving " + config.models()
                + " (" + config + ")");
        if (engine.kvEventsEndpoint() != null) {
            System.out.println("KV events on " + engine.kvEventsEndpoint()
                    + (engine.kvEventsReplayEndpoint() == null ? "" : ", replay on " + engine.kvEventsReplayEndpoint()));
        }
        stopped.await();
    }
}
