package dev.caravan.placement.cost;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a request costs on one engine, learnt from that engine's own answers: no constant in here is a
 * property of one GPU, model or scheduler, only priors that the first answers override.
 *
 * <p>Two fits, both {@link DecayingLeastSquares}:
 * <ul>
 *   <li><b>time to first token</b> (seconds) against {@code [1, u, n, u*n, w, q]}: {@code u} the prompt
 *       tokens the engine had to compute (thousands; prompt minus the engine-reported cached tokens),
 *       {@code n} the other requests the gateway had in flight there when it sent this one, {@code w}
 *       the engine's own waiting queue at that moment, {@code q} the prompt tokens (thousands) of the
 *       requests sent there before it that had not started answering yet. The intercept is the
 *       engine's fixed overhead, {@code u} its prefill speed, {@code n} and {@code u*n} how sharing a
 *       batch stretches both (linear stretch and batch-dependent step time show up there), {@code w}
 *       the queue, {@code q} the prefill still ahead of it: an engine that splits prefills into chunks of
 *       one token budget per step (vLLM's chunked prefill) serves them in turn, so a request behind a
 *       long prompt waits for it whatever the batch size; one that prefills each request apart learns a
 *       coefficient near zero.
 *   <li><b>inter-token latency</b> (seconds per token) against {@code [1, b, p]}: {@code b} the batch
 *       the request decoded in, {@code p} the prompt tokens (thousands) that other requests sent to
 *       the engine while it decoded, per token of its answer. With chunked prefill every prefill chunk
 *       shares a step with the decoders, so {@code p} is how much a new prompt slows what runs there;
 *       an engine that prefills apart from decoding learns a coefficient near zero.
 * </ul>
 *
 * <p>The cost of a placement is the request's own predicted time to first token plus the time it
 * takes from the {@code n} requests already running: each decodes its remaining tokens (about half an
 * answer) one batch slot slower, and waits for this request's prefill chunks.
 *
 * <p>An engine's fits are pulled toward the fleet's (one more model, fitted on every engine's answers):
 * an engine that has not answered yet is predicted as the fleet, and a few answers of its own move it
 * from there. So a newcomer is neither shunned nor flooded next to engines already measured.
 *
 * <p>What an engine taught fades back to the fleet's fit while it sends no answers ({@code forgetMillis}
 * is the time constant): an engine judged slow gets little work and so few answers, and without the
 * fade one bad minute (a stall, a noisy neighbour) would keep it out of rotation for good.
 *
 * <p>Thread-safe: learning locks each fit for microseconds; prediction takes no lock.
 */
public final class EngineCostModel {

    /** Typical feature values, the scale at which a prior weighs {@code priorSamples} samples. */
    private static final double[] TTFT_SCALE = {1, 1, 4, 4, 1, 1};
    private static final double[] ITL_SCALE = {1, 8, 0.05};

    /** Streamed answers (with a time to first token) before predictions decide; see {@link #warm()}. */
    private static final int WARM_ANSWERS = 8;

    private final DecayingLeastSquares ttft;
    private final DecayingLeastSquares itl;
    private final double keep;
    private final AtomicLong promptTokensSent = new AtomicLong();
    /** Prompt tokens of the requests sent here that have not started answering: the prefill queue. */
    private final AtomicLong prefillQueued = new AtomicLong();
    private volatile double meanCompletionTokens;
    /** The fleet's model, or null for the fleet's own. */
    private final EngineCostModel fleet;
    private final LongSupplier millis;
    private final double forgetMillis;
    private volatile long lastAnswerMillis;

    EngineCostModel(CostPriors priors, double memory, EngineCostModel fleet, LongSupplier millis, double forgetMillis) {
        this.fleet = fleet;
        this.millis = millis;
        this.forgetMillis = forgetMillis;
        this.ttft = new DecayingLeastSquares(priors.ttft(), TTFT_SCALE, priors.samples(), memory);
        this.itl = new DecayingLeastSquares(priors.itl(), ITL_SCALE, priors.samples(), memory);
        this.keep = Math.exp(-1.0 / memory);
        this.meanCompletionTokens = priors.completionTokens();
    }

    /**
     * How much this engine's own fit counts against the fleet's, 0..1: none before its first answer,
     * fading with the time since its last one.
     */
    private double trust() {
        if (fleet == null) return 1;
        if (ttft.samples() == 0 && itl.samples() == 0) return 0;
        long idle = millis.getAsLong() - lastAnswerMillis;
        // An engine that answered within 1 % of the forget time is trusted whole: the fade would move it
        // under 1 % of the way to the fleet, and the request path then evaluates one fit, not two and an exp.
        return idle <= forgetMillis * 0.01 ? 1 : Math.exp(-idle / forgetMillis);
    }

    /** Predicted seconds to the first token for {@code uncachedTokens} with {@code others} in flight, no prefill queued. */
    public double timeToFirstToken(double uncachedTokens, int others, int waiting) {
        return timeToFirstToken(uncachedTokens, others, waiting, 0);
    }

    /** As {@link #timeToFirstToken(double, int, int)}, behind {@code queuedTokens} of prefill. */
    public double timeToFirstToken(double uncachedTokens, int others, int waiting, double queuedTokens) {
        double own = ttftWith(ttft.coefficientsView(), uncachedTokens, others, waiting, queuedTokens);
        double w = trust();
        return w == 1 ? own : w * own + (1 - w) * fleet.timeToFirstToken(uncachedTokens, others, waiting, queuedTokens);
    }

    private static double ttftWith(double[] t, double uncachedTokens, int others, int waiting, double queuedTokens) {
        double u = uncachedTokens / 1000.0;
        return Math.max(0, t[0] + t[1] * u + t[2] * others + t[3] * u * others + t[4] * waiting
                + t[5] * queuedTokens / 1000.0);
    }

    /** Predicted seconds per output token in a batch of {@code batch}, no prefill alongside. */
    public double interTokenLatency(int batch) {
        double[] t = itl.coefficientsView();
        double own = Math.max(0, t[0] + t[1] * batch);
        double w = trust();
        return w == 1 ? own : w * own + (1 - w) * fleet.interTokenLatency(batch);
    }

    /**
     * Predicted seconds this placement costs: the request's time to first token behind the prefill
     * queued here now, plus what it takes from the {@code others} already in flight there.
     */
    public double placementCost(double uncachedTokens, int others, int waiting) {
        return placementCost(uncachedTokens, others, waiting, prefillQueued.get());
    }

    private double placementCost(double uncachedTokens, int others, int waiting, double queuedTokens) {
        double own = costWith(ttft.coefficientsView(), itl.coefficientsView(), meanCompletionTokens,
                uncachedTokens, others, waiting, queuedTokens);
        double w = trust();
        return w == 1 ? own : w * own + (1 - w) * fleet.placementCost(uncachedTokens, others, waiting, queuedTokens);
    }

    private static double costWith(double[] t, double[] i, double completionTokens,
                                   double uncachedTokens, int others, int waiting, double queuedTokens) {
        double own = ttftWith(t, uncachedTokens, others, waiting, queuedTokens);
        if (others == 0) return own;
        double slowerDecode = Math.max(0, i[1]) * completionTokens / 2; // each decodes about half an answer more
        double prefillStall = Math.max(0, i[2]) * uncachedTokens / 1000.0;
        return own + others * (slowerDecode + prefillStall);
    }

    /**
     * Marks a request sent with {@code promptTokens} to compute: returns the engine's running count of
     * prompt tokens sent, this request's included; what the count grew by when its answer ends is the
     * prefill of others that shared its decode.
     */
    public long sent(long promptTokens) {
        return promptTokensSent.addAndGet(Math.max(0, promptTokens));
    }

    /** Prompt tokens sent to this engine so far (for {@link #learn}). */
    public long promptTokensSent() { return promptTokensSent.get(); }

    /**
     * Queues a request's {@code promptTokens} of prefill; returns the tokens queued before it (what it
     * waits behind). {@link #prefillOver} takes them off again.
     */
    public long queuePrefill(long promptTokens) {
        return prefillQueued.getAndAdd(Math.max(0, promptTokens));
    }

    /** A request's prefill is over (its first token came, or it ended or failed first). */
    public void prefillOver(long promptTokens) {
        // Never below zero, even if the calls' accounting were ever off by one: a negative queue would
        // make an engine look better than idle.
        prefillQueued.accumulateAndGet(Math.max(0, promptTokens), (q, t) -> Math.max(0, q - t));
    }

    /** Prompt tokens queued for prefill here now. */
    public long prefillQueued() { return prefillQueued.get(); }

    /**
     * Learns from one answer.
     *
     * @param uncachedTokens    prompt tokens the engine computed
     * @param others            other requests in flight there when it was sent
     * @param waiting           the engine's waiting queue when it was sent
     * @param queuedTokens      prompt tokens queued for prefill ahead of it when it was sent
     * @param ttftSeconds       time to the first token, or negative when unknown (not streamed)
     * @param decodeSeconds     time from the first token to the last, or negative when unknown
     * @param completionTokens  tokens of the answer, or negative when unknown
     * @param othersPromptTokens prompt tokens sent to the engine by others while this one ran
     */
    public void learn(double uncachedTokens, int others, int waiting, double queuedTokens, double ttftSeconds,
                      double decodeSeconds, long completionTokens, long othersPromptTokens) {
        if (fleet != null) {
            fleet.learn(uncachedTokens, others, waiting, queuedTokens, ttftSeconds, decodeSeconds, completionTokens,
                    othersPromptTokens);
            // Fade what is left of the old fit into the fleet's before the new answer refreshes it.
            double w = trust();
            if (w < 1 && ttft.samples() + itl.samples() > 0) {
                ttft.fade(w);
                itl.fade(w);
            }
            lastAnswerMillis = millis.getAsLong();
        }
        if (ttftSeconds >= 0) {
            double u = uncachedTokens / 1000.0;
            double[] x = {1, u, others, u * others, waiting, queuedTokens / 1000.0};
            if (fleet == null) ttft.add(x, ttftSeconds);
            else ttft.add(x, ttftSeconds, fleet.ttft.coefficientsView());
        }
        if (completionTokens > 0) {
            double before = fleet != null && ttft.samples() <= 1 && itl.samples() == 0
                    ? fleet.meanCompletionTokens : meanCompletionTokens;
            meanCompletionTokens = keep * before + (1 - keep) * completionTokens;
        }
        if (decodeSeconds >= 0 && completionTokens > 1) {
            double steps = completionTokens - 1;
            double p = Math.max(0, othersPromptTokens) / 1000.0 / steps;
            double[] x = {1, others + 1, p};
            if (fleet == null) itl.add(x, decodeSeconds / steps);
            else itl.add(x, decodeSeconds / steps, fleet.itl.coefficientsView());
        }
    }

    public long samples() { return ttft.samples(); }

    /**
     * Whether enough times to first token were learnt for predictions to decide: until then the fit is
     * mostly prior and its error unknown, and the caller ranks by its load score instead.
     */
    public boolean warm() { return ttft.samples() >= WARM_ANSWERS; }

    /** Predicted seconds to the first token of a thousand uncached tokens on the idle engine. */
    public double idleTimeToFirstToken() { return timeToFirstToken(1000, 0, 0); }

    /** Seconds of prefill per thousand uncached prompt tokens, alone on the engine. */
    public double prefillSecondsPerKilotoken() { return timeToFirstToken(1000, 0, 0) - timeToFirstToken(0, 0, 0); }

    /** Seconds per output token, decoding alone. */
    public double idleInterTokenLatency() { return interTokenLatency(1); }

    /** Output tokens of an answer here, on average (decayed like the fits). */
    public double meanCompletionTokens() { return meanCompletionTokens; }

    /**
     * Predicted seconds a lone request of a thousand uncached prompt tokens and {@code completionTokens}
     * of answer keeps this engine busy: the unit its speed is compared in ({@code PredictedCost#capacity}).
     */
    public double idleRequestSeconds(double completionTokens) {
        return timeToFirstToken(1000, 0, 0) + completionTokens * interTokenLatency(1);
    }

    /** Seconds each further sequence in the batch adds to every output token. */
    public double interTokenSecondsPerBatchSlot() { return interTokenLatency(2) - interTokenLatency(1); }

    /** Mean absolute error of the time-to-first-token fit, in seconds (decayed like the fit). */
    public double timeToFirstTokenError() { return ttft.meanAbsResidual(); }

    /**
     * How far a prediction here is typically off, in seconds: this engine's fit error, or the fleet's
     * while this engine has no answers of its own. A placement leaves its default engine only for a
     * gain larger than this, so it does not chase the noise of a model that has seen a few answers.
     */
    public double predictionError() {
        return fleet != null && ttft.samples() == 0 ? fleet.ttft.meanAbsResidual() : ttft.meanAbsResidual();
    }

    /** The fitted coefficients and sample counts, for {@code /health} and the metrics. */
    public Map<String, Object> describe() {
        double[] t = ttft.coefficients();
        double[] i = itl.coefficients();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", ttft.samples());
        m.put("ttft_base_s", t[0]);
        m.put("ttft_per_kilotoken_s", t[1]);
        m.put("ttft_per_other_s", t[2]);
        m.put("ttft_per_kilotoken_per_other_s", t[3]);
        m.put("ttft_per_waiting_s", t[4]);
        m.put("ttft_per_queued_kilotoken_s", t[5]);
        m.put("prefill_queued_tokens", prefillQueued.get());
        m.put("ttft_mean_abs_error_s", ttft.meanAbsResidual());
        m.put("itl_samples", itl.samples());
        m.put("itl_base_s", i[0]);
        m.put("itl_per_batch_slot_s", i[1]);
        m.put("itl_per_prefill_kilotoken_s", i[2]);
        m.put("mean_completion_tokens", meanCompletionTokens);
        return m;
    }
}
