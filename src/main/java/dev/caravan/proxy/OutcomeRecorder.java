package dev.caravan.proxy;

import dev.caravan.engines.Engine;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a proxied request exactly once: gives the engine slot back and tells every listener
 * (workflow statistics, metrics, admission queue) what the engine reported.
 */
public class OutcomeRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);
    private final List<RequestOutcomeListener> listeners;
    private final Runnable slotFreed;

    public OutcomeRecorder(List<RequestOutcomeListener> listeners, Runnable slotFreed) {
        this.listeners = List.copyOf(listeners);
        this.slotFreed = slotFreed;
    }

    /** The engine never took the request (refused, or failed before answering). */
    public void abandoned(Engine engine) {
        engine.requestFinished();
        slotFreed.run();
    }

    public void finished(RequestOutcome outcome) {
        outcome.engine().requestFinished();
        slotFreed.run();
        for (RequestOutcomeListener l : listeners) {
            try {
                l.onOutcome(outcome);
            } catch (RuntimeException e) {
                LOG.warn("Outcome listener {} failed", l.getClass().getSimpleName(), e);
            }
        }
    }
}
