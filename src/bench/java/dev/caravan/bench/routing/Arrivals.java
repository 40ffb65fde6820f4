package dev.caravan.bench.routing;

import java.util.Random;

/** Poisson arrival times (exponential gaps) from a fixed seed, so every policy sees the same schedule. */
final class Arrivals {

    private Arrivals() {}

    /** Arrival offsets in ms of {@code n} sessions at {@code perSecond}. */
    static double[] poisson(int n, double perSecond, long seed) {
        Random r = new Random(seed);
        double[] at = new double[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            at[i] = t;
            t += -Math.log(1 - r.nextDouble()) / perSecond * 1000.0;
        }
        return at;
    }
}
