package dev.caravan.simulator;

import java.util.Random;

/**
 * Decides how long prefill and each decode step take, following llm-d-inference-sim: a fixed
 * prefill overhead plus a cost per uncached prompt token, a fixed inter-token latency, both
 * stretched linearly with the number of running sequences up to the load factor, with Gaussian
 * jitter, all multiplied by the time scale.
 *
 * <p>Not thread-safe (its random stream is the engine's, to keep runs reproducible); the scheduler
 * calls it under its lock.
 */
final class LatencyModel {

    private final SimulatorConfig config;
    private final Random jitter;

    LatencyModel(SimulatorConfig config) {
        this.config = config;
        this.jitter = new Random(config.seed());
    }

    long prefillNanos(int uncachedTokens, int running) {
        double ms = config.prefillOverheadMs() + uncachedTokens * config.prefillPerTokenMs();
        return toNanos(ms, running);
    }

    long interTokenNanos(int running) {
        return toNanos(config.interTokenLatencyMs(), running);
    }

    /** Slowdown with {@code running} sequences in the batch: 1 alone, the load factor at full batch. */
    double stretch(int running) {
        if (config.maxRunning() <= 1) {
            return 1.0;
        }
        int others = Math.max(0, Math.min(running, config.maxRunning()) - 1);
        return 1.0 + (config.loadFactor() - 1.0) * others / (config.maxRunning() - 1);
    }

    private long toNanos(double ms, int running) {
        if (config.timeScale() == 0) {
            return 0;
        }
        double value = ms * stretch(running);
        if (config.jitterFraction() > 0) {
            value *= Math.max(0.0, 1.0 + jitter.nextGaussian() * config.jitterFraction());
        }
        return Math.round(value * config.timeScale() * 1_000_000.0);
    }
}
