package dev.caravan.proxy;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.EngineErrorKind;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.Engine;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the outcome listeners (admission, placement learning, workflow statistics, metrics) each
 * stage of a call to an engine, and keeps the engine's in-flight count: taken when the call is sent,
 * given back exactly once when it ends. A listener that fails is logged; the others still hear.
 */
public class OutcomeRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);
    private final RequestOutcomeListener[] listeners;

    public OutcomeRecorder(List<RequestOutcomeListener> listeners) {
        this.listeners = listeners.toArray(new RequestOutcomeListener[0]);
    }

    /** The call goes to its engine now. */
    public void sent(CompletionCall call) {
        call.decision().engine().requestStarted();
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onSent(call);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    /** The engine answered 200: it took the call. */
    public void accepted(CompletionCall call) {
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onAccepted(call);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    /** The first byte of a streamed answer arrived: the engine computed the prompt. */
    public void firstByte(CompletionCall call) {
        prefillOver(call);
    }

    /** The engine never took the call (refused, or failed before answering), or the client left. */
    public void abandoned(CompletionCall call, Engine engine) {
        engine.requestFinished();
        prefillOver(call);
        freed(engine);
    }

    /** The engine failed a call before answering it; {@link #abandoned} follows. */
    public void engineError(Engine engine, EngineErrorKind kind) {
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onEngineError(engine, kind);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    /** The engine's answer to {@code call} ended. */
    public void finished(CompletionCall call, RequestOutcome outcome) {
        outcome.engine().requestFinished();
        if (outcome.ttftNanos() < 0) prefillOver(call); // else its first byte said so
        freed(outcome.engine());
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onOutcome(outcome);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private void prefillOver(CompletionCall call) {
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onPrefillOver(call);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private void freed(Engine engine) {
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onEngineFreed(engine);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private static void failed(RequestOutcomeListener l, RuntimeException e) {
        LOG.warn("Outcome listener {} failed", l.getClass().getSimpleName(), e);
    }
}
