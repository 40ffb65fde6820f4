package dev.caravan.core;

/**
 * An admitted request's claim on a free engine slot, held from admission until the request is sent
 * to its engine (then the engine's in-flight count holds it), so two requests admitted for one free
 * slot cannot both land on a full engine.
 */
public interface AdmissionSlot {

    /** Whether the request waited in the admission queue (its placement reason becomes {@code queue}). */
    boolean queued();

    /** The request now counts in an engine's in-flight, or will never run: the claim ends. Idempotent. */
    void started();
}
