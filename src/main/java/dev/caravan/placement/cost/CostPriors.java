package dev.caravan.placement.cost;

/**
 * What an engine is assumed to cost before its first answers: a modest GPU, so an engine never seen is
 * neither shunned nor flooded. Each prior weighs {@code samples} answers; a few dozen answers of the
 * real engine override it.
 *
 * @param ttft             time-to-first-token coefficients, see {@link EngineCostModel}
 * @param itl              inter-token-latency coefficients, see {@link EngineCostModel}
 * @param completionTokens answer length before any answer was seen
 * @param samples          strength of the priors, in answers
 */
public record CostPriors(double[] ttft, double[] itl, double completionTokens, double samples) {

    public CostPriors {
        if (ttft.length != 6 || itl.length != 3) throw new IllegalArgumentException("6 TTFT and 3 ITL coefficients");
        if (completionTokens <= 0 || samples <= 0) throw new IllegalArgumentException("positive answer length and strength");
        ttft = ttft.clone();
        itl = itl.clone();
    }

    /**
     * 20 ms fixed, 100 ms per thousand prompt tokens, 5 ms per request alongside (10 ms per thousand
     * prompt tokens per request alongside), 50 ms per queued request, 50 ms per thousand prompt tokens
     * queued for prefill ahead (half the prefill speed: some engines prefill apart); 10 ms per token plus 0.5 ms per
     * batch slot, 5 ms per thousand prompt tokens prefilled alongside; answers of 128 tokens; as strong
     * as 4 answers.
     */
    public static CostPriors defaults() {
        return new CostPriors(new double[] {0.02, 0.1, 0.005, 0.01, 0.05, 0.05}, new double[] {0.01, 0.0005, 0.005}, 128, 4);
    }
}
