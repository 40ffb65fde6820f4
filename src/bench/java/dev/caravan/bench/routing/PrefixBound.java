package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        SimulatorConfig config = SimulatorConfig.fromArgs("--port=0", "--time-scale=0", "--kv-cache-blocks=1000000000",
                "--block-size=" + blockSize, "--max-model-len=10000000", "--max-waiting=1000000", "--io-threads=2");
        try (SimulatedEngine engine = SimulatedEngine.start(config);
             HttpDriver driver = new HttpDriver(engine.baseUrl(), false)) {
            workload.run(driver).get(30, TimeUnit.MINUTES);
            List<CallResult> bad = driver.results().stream().filter(r -> r.status() != 200).toList();
            if (!bad.isEmpty()) throw new IllegalStateException(bad.size() + " bound calls failed, e.g. " + bad.get(0));
            EngineMetrics m = EngineMetrics.scrape(List.of(engine.baseUrl()));
            return m.hitRate();
        }
    }
}
