package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The hit rate an infinite prefix cache with perfect placement would give the workload: the whole
 * workload is sent, unpaced, to one simulated engine with a practically unbounded KV cache and time
 * scale 0. Every block is then a miss the first time it is seen and a hit afterwards, computed with
 * the simulator's own tokenizer, chat template, block size and its rule that the last prompt token is
 * always recomputed; with an infinite cache the count does not depend on the order of requests.
 */
final class PrefixBound {

    private PrefixBound() {}

    static double hitRate(Workload workload, int blockSize) throws Exception {
        return onOneEngine(workload, null, "--kv-cache-blocks=1000000000", "--block-size=" + blockSize,
                "--max-model-len=10000000");
    }

    /**
     * Runs the workload against one simulated engine at time scale 0 and returns the hit rate the engine
     * reports. {@code order} wraps the HTTP driver (e.g. to send calls one at a time), or null to send
     * them as the workload issues them; {@code engineArgs} are the engine's own options.
     */
    static double onOneEngine(Workload workload, Function<HttpDriver, Driver> order,
                              String... engineArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port=0", "--time-scale=0", "--max-waiting=1000000",
                "--io-threads=2"));
        args.addAll(List.of(engineArgs));
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.fromArgs(args.toArray(String[]::new)));
             HttpDriver http = new HttpDriver(engine.baseUrl(), false)) {
            workload.run(order == null ? http : order.apply(http)).get(30, TimeUnit.MINUTES);
            List<CallResult> bad = http.results().stream().filter(r -> r.status() != 200).toList();
            if (!bad.isEmpty()) throw new IllegalStateException(bad.size() + " calls failed, e.g. " + bad.get(0));
            return EngineMetrics.scrape(List.of(engine.baseUrl())).hitRate();
        }
    }
}
