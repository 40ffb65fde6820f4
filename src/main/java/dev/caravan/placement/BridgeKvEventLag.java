package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.placement.kvevents.KvEventStreams;

/**
 * An engine that took a tokenised prompt will report its blocks in a few milliseconds; until then
 * the precise match counts the prompt as held there ({@link KvEventStreams#accepted}), so that the
 * next request of a conversation does not race the engine's events.
 */
public final class BridgeKvEventLag implements RequestOutcomeListener {

    private final KvEventStreams streams;

    public BridgeKvEventLag(KvEventStreams streams) {
        this.streams = streams;
    }

    @Override
    public void onAccepted(CompletionCall call) {
        int[] tokens = call.request().promptTokens().ids();
        if (tokens != null && call.decision() != null) {
            streams.accepted(call.decision().engine().id(), tokens);
        }
    }

    @Override
    public void onOutcome(RequestOutcome outcome) { }
}
