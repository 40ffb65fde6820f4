package dev.caravan.routing;

import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.EngineRegistry;
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
    static final String PERMIT_PROPERTY = "caravanAdmissionPermit";

    private final EngineRegistry registry;
    private final AdmissionQueue queue;
    private final LoadScore load;

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
        AdmissionQueue.Permit permit = queue.acquireSlot(p,
                () -> load.freeSlots(registry.candidates(p.model(), p.excluded())), null);
        if (permit.queued()) {
            exchange.setProperty(QUEUED_PROPERTY, Boolean.TRUE);
        }
        exchange.setProperty(PERMIT_PROPERTY, permit);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                permit.started(); // ends the reservation if the request never reached an engine
            }
        });
    }

    /** The exchange's request now runs on an engine: its admission slot is no longer held. */
    public static void started(Exchange exchange) {
        AdmissionQueue.Permit permit = exchange.getProperty(PERMIT_PROPERTY, AdmissionQueue.Permit.class);
        if (permit != null) {
            permit.started();
        }
    }
}
