package dev.caravan.core;

import dev.caravan.engines.Engine;

/**
 * Learns from the stages of a call to an engine: workflow statistics, metrics, the prefix index and
 * lineage (where prompts now live), the admission queue (slots held and freed). The forwarder tells
 * every listener; none of them is called back by name. Called on the thread that reached the stage;
 * must not block.
 */
public interface RequestOutcomeListener {

    /** What the engine reported for a call it answered (once per call, when its answer ended). */
    void onOutcome(RequestOutcome outcome);

    /** The call is being sent to its engine, which counts it in flight from now on. */
    default void onSent(CompletionCall call) {}

    /**
     * The engine is past the call's prefill: its first byte arrived, or the call ended or failed before
     * one (not streamed, refused, broken off). Once per call sent, before {@link #onOutcome}.
     */
    default void onPrefillOver(CompletionCall call) {}

    /** The engine took the call (answered 200): its KV cache now holds the call's prompt. */
    default void onAccepted(CompletionCall call) {}

    /** The engine failed the call before answering it (refused, timed out, 5xx, connection lost). */
    default void onEngineError(Engine engine, EngineErrorKind kind) {}

    /** The engine slot a call held is free again, whether the engine answered or not. */
    default void onEngineFreed(Engine engine) {}
}
