package dev.caravan.routing;

import dev.caravan.api.GatewayException;
import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The placement step of the completion route: asks a policy for an engine among the healthy ones
 * that serve the model. The same step places the retry after an engine failed before answering,
 * with that engine excluded and the reason recorded as failover.
 */
public class PlaceRequest implements Processor {

    public static final String DECISION_PROPERTY = "caravanDecision";
    /** The step that placed the request, so a failover asks the same policy again. */
    public static final String STEP_PROPERTY = "caravanPlacementStep";
    /** Set when a failover found no engine left; the forward step answers with it. */
    public static final String FAILOVER_ERROR_PROPERTY = "caravanFailoverError";

    private final EngineRegistry registry;
    private final PlacementPolicy policy;
    private final int retryAfterSeconds;

    public PlaceRequest(EngineRegistry registry, PlacementPolicy policy, int retryAfterSeconds) {
        this.registry = registry;
        this.policy = policy;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public PlacementPolicy policy() { return policy; }

    @Override
    public void process(Exchange exchange) {
        ParsedRequest request = exchange.getProperty(ParsedRequest.PROPERTY, ParsedRequest.class);
        exchange.setProperty(STEP_PROPERTY, this);
        exchange.setProperty(DECISION_PROPERTY, decide(request.placement(), false));
    }

    /** Places a request again after {@code failed} could not take it. */
    public void failover(Exchange exchange, Engine failed) {
        ParsedRequest request = exchange.getProperty(ParsedRequest.PROPERTY, ParsedRequest.class);
        ParsedRequest retry = new ParsedRequest(request.path(), request.body(), request.stream(),
                request.placement().withExcluded(failed.id()));
        exchange.setProperty(ParsedRequest.PROPERTY, retry);
        try {
            exchange.setProperty(DECISION_PROPERTY, decide(retry.placement(), true));
        } catch (GatewayException noneLeft) {
            // thrown by the forward step, so that it ends the request like any other failure
            exchange.setProperty(FAILOVER_ERROR_PROPERTY, noneLeft);
        }
    }

    PlacementDecision decide(PlacementRequest request, boolean failover) {
        List<Engine> candidates = registry.candidates(request.model(), request.excluded());
        if (candidates.isEmpty()) {
            if (!registry.anyServes(request.model())) {
                throw GatewayException.notFound("model_not_found", "model",
                        "The model '" + request.model() + "' does not exist or is not served by any engine");
            }
            throw GatewayException.unavailable("no_healthy_engine",
                    "No healthy engine serves the model '" + request.model() + "' right now", retryAfterSeconds);
        }
        PlacementDecision d = policy.place(request, candidates);
        return failover ? new PlacementDecision(d.engine(), PlacementReason.FAILOVER) : d;
    }
}
