package dev.caravan.routing;

import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The admission step: when every engine that could serve the request is saturated, the request
 * waits in the gateway's bounded priority queue (highest workflow priority first, fair between
 * workflows) instead of piling onto an engine; a full queue or a long wait answers 429.
 */
public class AdmitRequest implements Processor {

    public static final String QUEUED_PROPERTY = "caravanQueued";
    static final String RESERVATION_PROPERTY = "caravanAdmissionReservation";

    private final EngineRegistry registry;
    private final AdmissionQueue queue;
    private final LoadScore load;
    private final AtomicInteger reservations = new AtomicInteger();

    public AdmitRequest(EngineRegistry registry, AdmissionQueue queue, LoadScore load) {
        this.registry = registry;
        this.queue = queue;
        this.load = load;
    }

    @Override
    public void process(Exchange exchange) {
        ParsedRequest request = exchange.getProperty(ParsedRequest.PROPERTY, ParsedRequest.class);
        PlacementRequest p = request.placement();
        if (registry.candidates(p.model(), p.excluded()).isEmpty()) {
            return; // nothing to wait for: placement answers 404 or 503
        }
        // Admitted requests not yet started on an engine hold their slot, so that two waiters
        // woken for one freed slot do not both pass and one land on a saturated engine.
        Supplier<Boolean> capacity = () -> {
            List<Engine> candidates = registry.candidates(p.model(), p.excluded());
            return !candidates.isEmpty() && load.freeSlots(candidates) > reservations.get();
        };
        if (queue.acquire(p, capacity, null).queued()) {
            exchange.setProperty(QUEUED_PROPERTY, Boolean.TRUE);
        }
        reservations.incrementAndGet();
        AtomicBoolean held = new AtomicBoolean(true);
        exchange.setProperty(RESERVATION_PROPERTY, (Runnable) () -> release(held));
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                release(held); // the request never reached an engine
            }
        });
    }

    /** The request now counts in an engine's in-flight, or will never run: its reservation ends. */
    private void release(AtomicBoolean held) {
        if (held.compareAndSet(true, false)) {
            reservations.decrementAndGet();
        }
    }

    /** Ends the reservation of the exchange's request, if it holds one. */
    public static void started(Exchange exchange) {
        Runnable release = exchange.getProperty(RESERVATION_PROPERTY, Runnable.class);
        if (release != null) {
            release.run();
        }
    }
}
