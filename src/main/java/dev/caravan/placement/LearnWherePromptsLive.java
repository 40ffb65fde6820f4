package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;

/**
 * An engine that took a request now holds its prompt in its KV cache: the policy that placed it
 * learns that (prefix index, lineage, the workflow's agents), so later requests sharing the prefix
 * follow it.
 */
public final class LearnWherePromptsLive implements RequestOutcomeListener {

    @Override
    public void onAccepted(CompletionCall call) {
        if (call.placedBy() != null && !call.request().promptText().isEmpty()) {
            call.placedBy().onRouted(call.request(), call.decision().engine());
        }
    }

    @Override
    public void onOutcome(RequestOutcome outcome) { }
}
