package dev.caravan.simulator;

import java.util.SplittableRandom;

/**
 * Decides the embedding vector of a token sequence: Gaussian components drawn from a random
 * stream seeded by the engine seed and the tokens, normalised to unit length. Equal inputs give
 * equal vectors; there is no semantic similarity beyond that.
 */
final class SimulatedEmbedding {

    private final long seed;
    private final int dimensions;

    SimulatedEmbedding(long seed, int dimensions) {
        this.seed = seed;
        this.dimensions = dimensions;
    }

    double[] embed(int[] tokens) {
        SplittableRandom random = new SplittableRandom(SimulatedOutput.promptDigest(seed, tokens));
        double[] v = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < dimensions; i++) {
            v[i] /= norm;
        }
        return v;
    }
}
