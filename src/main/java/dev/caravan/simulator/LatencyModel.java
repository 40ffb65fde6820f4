package dev.caravan.simulator;

import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Decides how long prefill and each decode step take, in the shape of the configured
 * {@link LatencyProfile}; every result gets Gaussian jitter and is multiplied by the time scale
 * and the run-time slowdown ({@link SimulatorFaults#slowdown}) and divided by the engine's speed.
 *
 * <ul>
 * <li>{@code linear} (after llm-d-inference-sim): prefill = overhead + per-token cost × uncached
 *     prompt tokens, a fixed inter-token latency, both stretched linearly with the number of
 *     running sequences up to the load factor ({@link #stretch}).
 * <li>{@code batch-scaled}: prefill = overhead + per-token cost × uncached tokens ×
 *     {@link BatchScaledCurve#prefillPerTokenStretch}, ITL × {@link BatchScaledCurve#decodeStretch};
 *     the load factor is not used.
 * <li>{@code chunked-prefill}: simulated for real by {@link EngineScheduler}'s step loop, which asks
 *     here for {@link #stepNanos} of each step and {@link #prefillOverheadNanos} once per request;
 *     {@link #prefillNanos} and {@link #interTokenNanos} are not used then.
 * </ul>
 *
 * <p>Not thread-safe (its random stream is the engine's, to keep runs reproducible); the scheduler
 * calls it under its lock.
 */
final class LatencyModel {

    private final SimulatorConfig config;
    private final Random jitter;
    private final DoubleSupplier slowdown;
    private final BatchScaledCurve curve = new BatchScaledCurve();

    LatencyModel(SimulatorConfig config) {
        this(config, () -> 1.0);
    }

    /** {@code slowdown} is read on every latency, so it must be cheap (a volatile read). */
    LatencyModel(SimulatorConfig config, DoubleSupplier slowdown) {
        this.config = config;
        this.jitter = new Random(config.seed());
        this.slowdown = slowdown;
    }

    long prefillNanos(int uncachedTokens, int running) {
        if (config.latencyProfile() == LatencyProfile.BATCH_SCALED) {
            return toNanos(config.prefillOverheadMs()
                    + uncachedTokens * config.prefillPerTokenMs() * curve.prefillPerTokenStretch(running));
        }
        double ms = config.prefillOverheadMs() + uncachedTokens * config.prefillPerTokenMs();
        return toNanos(ms * stretch(running));
    }

    long interTokenNanos(int running) {
        double factor = config.latencyProfile() == LatencyProfile.BATCH_SCALED ? curve.decodeStretch(running) : stretch(running);
        return toNanos(config.interTokenLatencyMs() * factor);
    }

    /**
     * One chunked-prefill engine step over {@code sequences} sequences (each decoding one token or
     * prefilling a chunk) with {@code prefillTokens} prompt tokens among them: the batch's decode
     * step as in {@code linear}, plus the per-token prefill cost of every chunk token. A step
     * without prefill is thus exactly a {@code linear} decode step; one with a chunk stalls every
     * decode in it by the chunk's cost.
     */
    long stepNanos(int sequences, int prefillTokens) {
        return toNanos(config.interTokenLatencyMs() * stretch(sequences) + prefillTokens * config.prefillPerTokenMs());
    }

    /**
     * Under chunked-prefill, the fixed part of a request's TTFT, paid before its first chunk is
     * scheduled: it stands for the work outside the GPU step, so it delays only its own request.
     */
    long prefillOverheadNanos() {
        return toNanos(config.prefillOverheadMs());
    }

    /** Slowdown with {@code running} sequences in the batch: 1 alone, the load factor at full batch. */
    double stretch(int running) {
        if (config.maxRunning() <= 1) {
            return 1.0;
        }
        int others = Math.max(0, Math.min(running, config.maxRunning()) - 1);
        return 1.0 + (config.loadFactor() - 1.0) * others / (config.maxRunning() - 1);
    }

    private long toNanos(double ms) {
        if (config.timeScale() == 0) {
            return 0;
        }
        double value = ms;
        if (config.jitterFraction() > 0) {
            value *= Math.max(0.0, 1.0 + jitter.nextGaussian() * config.jitterFraction());
        }
        // x * 1.0 is exact, so at speed 1 and no slowdown the numbers are the linear model's of old to the bit.
        value *= slowdown.getAsDouble() / config.speed();
        return Math.round(value * config.timeScale() * 1_000_000.0);
    }
}
