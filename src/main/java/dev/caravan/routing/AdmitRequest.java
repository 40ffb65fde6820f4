package dev.caravan.routing;

import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The admission step: when every engine that could serve the request is saturated, the request
 * waits in the gateway's bounded priority queue (highest workflow priority first, fair between
 * workflows) instead of piling onto an engine; a full queue or a long wait answers 429.
 */
public class AdmitRequest implements Processor {

    public static final String QUEUED_PROPERTY = "caravanQueued";

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
        Supplier<Boolean> capacity = () -> {
            List<Engine> candidates = registry.candidates(p.model(), p.excluded());
            return !candidates.isEmpty() && load.hasCapacity(candidates);
        };
        if (queue.acquire(p, capacity, null).queued()) {
            exchange.setProperty(QUEUED_PROPERTY, Boolean.TRUE);
        }
    }
}
