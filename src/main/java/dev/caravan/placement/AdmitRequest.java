package dev.caravan.placement;

import dev.caravan.core.ClientDisconnect;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.placement.policy.LoadScore;
import io.vertx.core.Context;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The admission step: when every engine that could serve the request is saturated, the request
 * waits in the gateway's bounded priority queue (highest workflow priority first, fair between
 * workflows) instead of piling onto an engine; a full queue or a long wait answers 429. A request
 * whose client closes its connection while it waits leaves the queue at once.
 *
 * <p>Asynchronous, so that the completion routes can run on the connection's event loop: a request
 * that finds a free slot passes at once on the calling thread; one that has to wait waits on a
 * request-executor thread when it arrived on an event loop (an event loop must never block), and
 * the route continues from there.
 */
public class AdmitRequest extends AsyncProcessorSupport {

    private final EngineRegistry registry;
    private final AdmissionQueue queue;
    private final LoadScore load;
    private final Executor waitExecutor;

    /** @param waitExecutor where a request that arrived on an event loop waits for admission */
    public AdmitRequest(EngineRegistry registry, AdmissionQueue queue, LoadScore load, Executor waitExecutor) {
        this.registry = registry;
        this.queue = queue;
        this.load = load;
        this.waitExecutor = waitExecutor;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        CompletionCall call = CompletionCall.of(exchange);
        PlacementRequest p = call.request();
        List<Engine> candidates = registry.candidates(p.model(), p.excluded());
        if (candidates.isEmpty()) {
            callback.done(true);
            return true; // nothing to wait for: placement answers 404 or 503
        }
        AdmissionQueue.Permit permit = queue.tryAcquireSlot(load.freeSlots(candidates));
        if (permit != null) {
            admitted(exchange, call, permit);
            callback.done(true);
            return true;
        }
        if (!Context.isOnEventLoopThread()) {
            waitForSlot(exchange, call);
            callback.done(true);
            return true;
        }
        try {
            waitExecutor.execute(() -> {
                waitForSlot(exchange, call);
                callback.done(false);
            });
        } catch (RejectedExecutionException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        return false;
    }

    private void waitForSlot(Exchange exchange, CompletionCall call) {
        PlacementRequest p = call.request();
        try {
            AdmissionQueue.Permit permit = queue.acquireSlot(p,
                    () -> load.freeSlots(registry.candidates(p.model(), p.excluded())), null,
                    ClientDisconnect.of(exchange));
            admitted(exchange, call, permit);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
    }

    /** The slot is held until the call is sent ({@link ReleaseAdmissionSlots}) or the exchange ends. */
    private static void admitted(Exchange exchange, CompletionCall call, AdmissionQueue.Permit permit) {
        call.admitted(permit);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                permit.started(); // ends the reservation if the request never reached an engine
            }
        });
    }
}
