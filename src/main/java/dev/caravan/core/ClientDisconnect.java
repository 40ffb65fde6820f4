package dev.caravan.core;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;

/**
 * Whether the client of one request is still there, and what to stop when it leaves. A client that
 * closes its connection while its request waits in the admission queue or while an engine computes
 * a non-streamed answer wants nothing more: the queue place and the engine's batch slot go to
 * requests somebody still waits for (vLLM aborts a request whose HTTP connection closes, so the
 * gateway closing its engine request frees the slot there too).
 *
 * <p>The HTTP layer creates one per request and reports the close ({@link #disconnected()}, on the
 * connection's event loop); the step that is waiting on the client's behalf registers what to stop
 * ({@link #onDisconnect}), one action at a time, and takes it back when it no longer applies.
 */
public final class ClientDisconnect {

    /** Exchange property holding the request's {@code ClientDisconnect}; read only through {@link #of}. */
    private static final String PROPERTY = "caravanClientDisconnect";

    private volatile boolean gone;
    private final AtomicReference<Runnable> action = new AtomicReference<>();

    /** The request's instance, or null when it did not come over HTTP (nothing to watch). */
    public static ClientDisconnect of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, ClientDisconnect.class);
    }

    /** Watches this exchange's client (the HTTP layer, once per request). */
    public void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }

    /** Whether the client closed its connection before its answer was complete. */
    public boolean gone() {
        return gone;
    }

    /**
     * Runs {@code stop} when the client leaves, at once (on this thread) if it has left already.
     * Replaces the action registered before: only the step waiting now has something to stop.
     */
    public void onDisconnect(Runnable stop) {
        action.set(stop);
        if (gone && action.compareAndSet(stop, null)) {
            stop.run();
        }
    }

    /** Takes back the registered action: the step that registered it is no longer waiting. */
    public void clear() {
        action.set(null);
    }

    /** The client's connection closed before the response ended. Runs the registered action once. */
    public void disconnected() {
        gone = true;
        Runnable stop = action.getAndSet(null);
        if (stop != null) {
            stop.run();
        }
    }

    /** What a step that finds the client gone fails the exchange with; nobody reads the answer. */
    public static GatewayException clientClosedRequest() {
        return new GatewayException(499, "invalid_request_error", "client_closed_request", null,
                "The client closed the connection before the answer was complete", null);
    }
}
