package dev.caravan.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Failure knobs of one engine, changeable at any time from Java or over {@code POST /sim/faults}.
 * Thread-safe. Requests already running are not affected by a change, except that turning the
 * stall off releases every held request and that a slowdown applies to every latency computed
 * after it is set, running requests' next tokens included.
 */
public final class SimulatorFaults {

    private final Random failureDraws;
    private boolean healthFailing;
    private double failureRate;
    private boolean garbage;
    private boolean stalling;
    private int dieAfterChunks = -1;
    // Volatile rather than guarded: the engine loop reads it for every token, and must not contend for this lock.
    private volatile double slowdown = 1.0;
    private final List<Runnable> held = new ArrayList<>();

    SimulatorFaults(long seed) {
        // Its own stream, so turning on failures does not shift the latency jitter of a seeded run.
        this.failureDraws = new Random(seed ^ 0x6661756c7473L);
    }

    /** {@code GET /health} answers 503 while on. */
    public synchronized SimulatorFaults failHealth(boolean on) {
        healthFailing = on;
        return this;
    }

    public synchronized boolean healthFailing() { return healthFailing; }

    /** Fraction (0-1) of generation requests answered 500, drawn from the seeded random stream. */
    public synchronized SimulatorFaults failureRate(double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("failure rate must be within 0..1");
        }
        failureRate = rate;
        return this;
    }

    public synchronized double failureRate() { return failureRate; }

    /** Generation requests are answered 200 with an HTML page instead of a completion. */
    public synchronized SimulatorFaults answerGarbage(boolean on) {
        garbage = on;
        return this;
    }

    public synchronized boolean answeringGarbage() { return garbage; }

    /**
     * While on, generation requests are accepted and never answered; turning it off lets the held
     * requests run as if they had just arrived.
     */
    public SimulatorFaults stall(boolean on) {
        List<Runnable> release;
        synchronized (this) {
            stalling = on;
            if (on || held.isEmpty()) {
                return this;
            }
            release = new ArrayList<>(held);
            held.clear();
        }
        release.forEach(Runnable::run);
        return this;
    }

    public synchronized boolean stalling() { return stalling; }

    /**
     * Streamed responses get their connection closed abruptly (no {@code [DONE]}, no final
     * chunk) after {@code chunks} SSE events; negative turns it off.
     */
    public synchronized SimulatorFaults dieAfterChunks(int chunks) {
        dieAfterChunks = chunks < 0 ? -1 : chunks;
        return this;
    }

    /** -1 when off. */
    public synchronized int dieAfterChunks() { return dieAfterChunks; }

    /**
     * Every prefill, step and inter-token latency computed from now on takes {@code factor} times as
     * long (2.0 = twice as slow, as a throttled or shared GPU); 1 turns it off. Tokens already due
     * keep their time.
     */
    public SimulatorFaults slowdown(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("slowdown must be a positive finite factor (1 = off), got " + factor);
        }
        slowdown = factor;
        return this;
    }

    /** 1 when off. */
    public double slowdown() { return slowdown; }

    /** Back to a healthy engine; held requests are released. */
    public SimulatorFaults reset() {
        synchronized (this) {
            healthFailing = false;
            failureRate = 0;
            garbage = false;
            dieAfterChunks = -1;
            slowdown = 1.0;
        }
        return stall(false);
    }

    synchronized boolean drawFailure() {
        return failureRate > 0 && failureDraws.nextDouble() < failureRate;
    }

    /** Holds {@code resume} if stalling and returns true; otherwise returns false and the caller goes on. */
    synchronized boolean holdIfStalling(Runnable resume) {
        if (!stalling) {
            return false;
        }
        held.add(resume);
        return true;
    }

    /** Forgets held requests without running them: the engine is shutting down. */
    synchronized List<Runnable> drainHeld() {
        List<Runnable> out = new ArrayList<>(held);
        held.clear();
        return out;
    }

    @Override
    public synchronized String toString() {
        return "SimulatorFaults{failHealth=" + healthFailing + ", failureRate=" + failureRate
                + ", garbage=" + garbage + ", stall=" + stalling + ", dieAfterChunks=" + dieAfterChunks + ", slowdown=" + slowdown + "}";
    }
}
