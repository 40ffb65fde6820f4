package dev.caravan.simulator;

/**
 * How much longer a step takes with a bigger batch under {@code latency-profile=batch-scaled}.
 *
 * <p>Decoding an 8B model is memory-bound: every step reads all weights (~16 GB in BF16, ~5 ms on
 * an H100's 3.35 TB/s) plus every running sequence's KV cache (Llama 3.1 8B: 128 KiB per token, so
 * ~0.25-0.5 GB per 2-4k-token sequence). Step time is therefore affine in the batch: the weight
 * read dominates small batches, so ITL looks flat there, and at {@code decodeKnee} sequences the
 * KV reads equal it and ITL has doubled. Published vLLM sweeps of Llama-3.1-8B-Instruct show that
 * shape: on one H100 (vLLM 0.21, chatbot-short) median TPOT was 6.48 / 6.59 / 10.94 ms at
 * concurrency 1 / 4 / 16, then much higher at 64 where queueing and prefill interference add in
 * (https://yobitelcomm.github.io/bench/recipes/concurrency-sweep/); on an A100 40 GB, latency is
 * near-flat to concurrency 8 and bends after (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on,
 * read there against the memory roofline). The default knee of 32 is the roofline's for
 * 2-4k-token contexts and sits between those measurements: 1.09x at 4, 1.47x at 16, 2.97x at 64.
 *
 * <p>Prefill is compute-bound and the decodes in the same steps add little compute, so its
 * per-token cost grows only mildly: 1.25x with 64 running at the default {@code prefillKnee} of 256.
 */
final class BatchScaledCurve {

    /** Running sequences at which decode step time has doubled. */
    static final double DEFAULT_DECODE_KNEE = 32;
    /** Running sequences at which the per-token prefill cost has doubled. */
    static final double DEFAULT_PREFILL_KNEE = 256;

    private final double decodeKnee;
    private final double prefillKnee;

    BatchScaledCurve() {
        this(DEFAULT_DECODE_KNEE, DEFAULT_PREFILL_KNEE);
    }

    BatchScaledCurve(double decodeKnee, double prefillKnee) {
        if (!(decodeKnee > 0) || !(prefillKnee > 0)) {
            throw new IllegalArgumentException("knees must be positive");
        }
        this.decodeKnee = decodeKnee;
        this.prefillKnee = prefillKnee;
    }

    /** Decode step time with {@code batch} running sequences over a lone sequence's. */
    double decodeStretch(int batch) {
        return 1.0 + Math.max(0, batch - 1) / decodeKnee;
    }

    /** Per-token prefill cost with {@code batch} running sequences over that of a lone prefill. */
    double prefillPerTokenStretch(int batch) {
        return 1.0 + Math.max(0, batch - 1) / prefillKnee;
    }
}
