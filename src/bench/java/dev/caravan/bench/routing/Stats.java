package dev.caravan.bench.routing;

import java.util.Arrays;

/** Percentiles by the nearest-rank method on a copy of the values. */
final class Stats {

    private Stats() {}

    static double percentile(double[] values, double p) {
        if (values.length == 0) return 0;
        double[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }
}
