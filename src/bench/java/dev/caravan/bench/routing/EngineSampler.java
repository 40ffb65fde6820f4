package dev.caravan.bench.routing;

import dev.caravan.simulator.SimulatedEngine;
import java.util.List;

/**
 * Samples the engines every {@code periodMs} while a workload runs: KV blocks pinned by running
 * requests ({@code kv_cache_usage_perc x blocks}, summed over engines: the memory the placement
 * needs for the work) and running sequences per engine (busy time, for load imbalance).
 */
final class EngineSampler implements AutoCloseable {

    private final List<SimulatedEngine> engines;
    private final long periodMs;
    private final Thread thread;
    private volatile boolean stop;
    private double blockSeconds;
    private double peakBlocks;
    private double seconds;
    private final double[] seqSeconds;
    private final double[] busySeconds;

    EngineSampler(List<SimulatedEngine> engines, long periodMs) {
        this.engines = engines;
        this.periodMs = periodMs;
        this.seqSeconds = new double[engines.size()];
        this.busySeconds = new double[engines.size()];
        this.thread = new Thread(this::loop, "bench-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long last = System.nanoTime();
        while (!stop) {
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            double blocks = 0;
            synchronized (this) {
                for (int i = 0; i < engines.size(); i++) {
                    SimulatedEngine e = engines.get(i);
                    blocks += e.stats().kvCacheUsage() * e.config().kvCacheBlocks();
                    int running = e.stats().running();
                    seqSeconds[i] += running * dt;
                    if (running > 0) busySeconds[i] += dt;
                }
                blockSeconds += blocks * dt;
                peakBlocks = Math.max(peakBlocks, blocks);
                seconds += dt;
            }
        }
    }

    synchronized double meanBlocks() { return seconds == 0 ? 0 : blockSeconds / seconds; }
    synchronized double peakBlocks() { return peakBlocks; }
    synchronized double blockSeconds() { return blockSeconds; }
    synchronized double[] seqSeconds() { return seqSeconds.clone(); }
    synchronized double[] busySeconds() { return busySeconds.clone(); }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
