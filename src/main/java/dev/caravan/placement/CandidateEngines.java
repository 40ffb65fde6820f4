package dev.caravan.placement;

import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import java.util.List;

/**
 * Which engines may take a request (healthy, serving its model, not excluded by a failover), and the
 * answer when none may: 404 for a model no engine serves, 503 while the engines that serve it are
 * down. The policy chooses among the rest.
 */
public final class CandidateEngines {

    private final EngineRegistry registry;
    private final int retryAfterSeconds;

    public CandidateEngines(EngineRegistry registry, int retryAfterSeconds) {
        this.registry = registry;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @param failover the request is placed again after an engine failed: the reason says so */
    public PlacementDecision place(PlacementPolicy policy, PlacementRequest request, boolean failover) {
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
        return failover ? d.withReason(PlacementReason.FAILOVER) : d;
    }
}
