package dev.caravan.placement;

import dev.caravan.core.AdmissionSlot;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.Engine;
import dev.caravan.placement.admission.AdmissionQueue;

/**
 * The admission queue's view of the calls: a call sent to its engine no longer holds the slot it was
 * admitted for (the engine's in-flight count holds it now), and an engine slot freed by a call that
 * ended lets the next waiter in.
 */
public final class ReleaseAdmissionSlots implements RequestOutcomeListener {

    private final AdmissionQueue queue;

    public ReleaseAdmissionSlots(AdmissionQueue queue) {
        this.queue = queue;
    }

    @Override
    public void onSent(CompletionCall call) {
        AdmissionSlot slot = call.admission();
        if (slot != null) {
            slot.started();
        }
    }

    @Override
    public void onEngineFreed(Engine engine) {
        queue.capacityFreed();
    }

    @Override
    public void onOutcome(RequestOutcome outcome) { }
}
