package dev.caravan.placement.cost;

/**
 * A linear model {@code y ~ theta . x} fitted online: exponentially decayed least squares (old samples
 * fade, so the fit follows an engine that changes), a ridge pulling each coefficient toward a prior
 * (a direction the samples never explore, say load on an engine that was always idle, keeps its prior
 * instead of drifting, which plain recursive least squares with forgetting does), and Huber weights
 * (one answer stalled by a network hiccup moves the fit by a bounded amount). The prior may move: an
 * engine's fit is pulled toward what the whole fleet has learnt, so an engine seen a few times is
 * judged like its peers, not like a guess made before any engine answered.
 *
 * <p>Learning takes this object's lock for a few hundred floating-point operations (a d x d solve,
 * d <= 6); it is called from outcome listeners, never while a request waits. Prediction reads a
 * volatile snapshot of the coefficients and takes no lock.
 */
final class DecayingLeastSquares {

    /** Residuals beyond this many mean absolute residuals are down-weighted (Huber). */
    private static final double HUBER_LIMIT = 3.0;
    /** Samples before outliers are down-weighted: until then the scale of a residual is unknown. */
    private static final int WARM_UP = 8;
    /**
     * Answers over which the typical residual is averaged: short, so the error describes the current
     * fit, not the priors' misses while it warmed up.
     */
    private static final double ERROR_MEMORY = 16;

    private static final double ERROR_KEEP = Math.exp(-1.0 / ERROR_MEMORY);

    private final int d;
    private final double keep;
    private final double[] prior;
    private final double[] ridge;
    private final double[] xtx;
    private final double[] xty;
    private volatile double meanAbsResidual;
    private volatile long samples;
    private volatile double[] theta;

    /**
     * @param prior      coefficients before any sample
     * @param priorScale for each feature, a typical value of it: the prior weighs as much as
     *                   {@code priorSamples} samples at those values
     * @param priorSamples strength of the prior, in samples
     * @param memory     samples after which an old one weighs 1/e (the decay's time constant)
     */
    DecayingLeastSquares(double[] prior, double[] priorScale, double priorSamples, double memory) {
        if (prior.length != priorScale.length || prior.length == 0) throw new IllegalArgumentException("prior shape");
        if (memory < 1 || priorSamples <= 0) throw new IllegalArgumentException("memory >= 1 and priorSamples > 0");
        this.d = prior.length;
        this.keep = Math.exp(-1.0 / memory);
        this.prior = prior.clone();
        this.ridge = new double[d];
        for (int j = 0; j < d; j++) ridge[j] = priorSamples * priorScale[j] * priorScale[j];
        this.xtx = new double[d * d];
        this.xty = new double[d];
        this.theta = prior.clone();
    }

    double predict(double[] x) {
        double[] t = theta;
        double y = 0;
        for (int j = 0; j < d; j++) y += t[j] * x[j];
        return y;
    }

    synchronized void add(double[] x, double y) {
        add(x, y, prior);
    }

    /** Learns one sample, with the coefficients to pull toward now. */
    synchronized void add(double[] x, double y, double[] priorNow) {
        if (!Double.isFinite(y)) return;
        double r = y - predict(x);
        double abs = Math.abs(r);
        double w = 1.0;
        if (samples >= WARM_UP && meanAbsResidual > 0) {
            double limit = HUBER_LIMIT * meanAbsResidual;
            if (abs > limit) w = limit / abs;
            abs = Math.min(abs, limit);
        }
        meanAbsResidual = samples == 0 ? abs : ERROR_KEEP * meanAbsResidual + (1 - ERROR_KEEP) * abs;
        samples++;
        for (int i = 0; i < d; i++) {
            xty[i] = keep * xty[i] + w * x[i] * y;
            for (int j = 0; j < d; j++) xtx[i * d + j] = keep * xtx[i * d + j] + w * x[i] * x[j];
        }
        theta = solve(priorNow);
    }

    /** (X'WX + R) theta = X'Wy + R prior, by Gaussian elimination with partial pivoting. */
    private double[] solve(double[] priorNow) {
        double[] a = new double[d * (d + 1)];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) a[i * (d + 1) + j] = xtx[i * d + j] + (i == j ? ridge[i] : 0);
            a[i * (d + 1) + d] = xty[i] + ridge[i] * priorNow[i];
        }
        int w = d + 1;
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.abs(a[r * w + c]) > Math.abs(a[p * w + c])) p = r;
            if (Math.abs(a[p * w + c]) < 1e-300) return theta; // cannot happen with a positive ridge
            if (p != c) {
                for (int k = 0; k < w; k++) { double t = a[c * w + k]; a[c * w + k] = a[p * w + k]; a[p * w + k] = t; }
            }
            for (int r = c + 1; r < d; r++) {
                double f = a[r * w + c] / a[c * w + c];
                if (f == 0) continue;
                for (int k = c; k < w; k++) a[r * w + k] -= f * a[c * w + k];
            }
        }
        double[] t = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double s = a[r * w + d];
            for (int k = r + 1; k < d; k++) s -= a[r * w + k] * t[k];
            t[r] = s / a[r * w + r];
        }
        return t;
    }

    /**
     * Weighs every sample so far by {@code w} (0..1), as if that much time had passed; the next
     * {@link #add} solves with the ridge pulling harder toward its prior.
     */
    synchronized void fade(double w) {
        for (int i = 0; i < d; i++) xty[i] *= w;
        for (int i = 0; i < d * d; i++) xtx[i] *= w;
    }

    double[] coefficients() { return theta.clone(); }

    /** The current coefficients, not to be changed: each fit publishes a new array. */
    double[] coefficientsView() { return theta; }

    long samples() { return samples; }

    double meanAbsResidual() { return meanAbsResidual; }
}
