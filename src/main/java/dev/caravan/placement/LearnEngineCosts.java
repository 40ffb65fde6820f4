package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.core.SentLoad;
import dev.caravan.engines.Engine;
import dev.caravan.placement.cost.EngineCostModel;
import dev.caravan.placement.cost.EngineCostModels;
import dev.caravan.placement.prefix.CharsPerToken;

/**
 * Every answer teaches its engine's {@link EngineCostModel} what it cost: the load the call met when it
 * was sent is noted on the call, and the answer's timings and usage are fitted against it.
 *
 * <p>The prompt tokens the engine computed are its own count (prompt tokens minus the cached tokens
 * it reports; vLLM reports them with {@code --enable-prompt-tokens-details}); without that report,
 * placement's estimate of what the engine lacked stands in.
 */
public final class LearnEngineCosts implements RequestOutcomeListener {

    private final EngineCostModels models;
    private final CharsPerToken charsPerToken;

    public LearnEngineCosts(EngineCostModels models, CharsPerToken charsPerToken) {
        this.models = models;
        this.charsPerToken = charsPerToken;
    }

    @Override
    public void onSent(CompletionCall call) {
        PlacementDecision d = call.decision();
        if (d == null) return;
        Engine e = d.engine();
        long estimate = estimatedUncached(call, e);
        EngineCostModel model = models.of(e.id());
        long mark = model.sent(estimate);
        long ahead = model.queuePrefill(estimate);
        // The engine counts this call in flight already (the recorder started it before telling us).
        call.sentInto(new SentLoad(Math.max(0, e.inFlight() - 1), e.waiting(), mark, estimate, ahead));
    }

    @Override
    public void onPrefillOver(CompletionCall call) {
        SentLoad load = call.sentLoad();
        PlacementDecision d = call.decision();
        if (load != null && d != null) models.of(d.engine().id()).prefillOver(load.prefillTokens());
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        SentLoad load = o.sentLoad();
        if (o.status() != 200 || o.failedMidStream() || load == null || o.engine() == null) return;
        long uncached;
        if (o.promptTokens() >= 0 && o.cachedTokens() >= 0) {
            uncached = Math.max(0, o.promptTokens() - o.cachedTokens());
        } else if (o.decision() != null && o.decision().uncachedTokens() >= 0) {
            uncached = o.decision().uncachedTokens();
        } else {
            return; // nothing tells how much the engine computed
        }
        EngineCostModel model = models.of(o.engine().id());
        double ttft = o.ttftNanos() >= 0 ? o.ttftNanos() / 1e9 : -1;
        double decode = ttft >= 0 ? Math.max(0, o.durationNanos() / 1e9 - ttft) : -1;
        model.learn(uncached, load.othersInFlight(), load.engineWaiting(), load.prefillQueuedAhead(), ttft, decode,
                o.completionTokens(),
                model.promptTokensSent() - load.promptTokensBefore());
    }

    private long estimatedUncached(CompletionCall call, Engine e) {
        long estimate = call.decision().uncachedTokens();
        if (estimate >= 0) return estimate;
        // A policy that does not estimate: count the whole prompt, as an engine without cache would.
        return Math.round(call.request().promptText().length() / charsPerToken.of(e));
    }
}
