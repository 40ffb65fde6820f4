package dev.caravan.placement;

import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.engines.ModelAliases;
import java.util.List;

/**
 * Which engines may take a request (healthy, serving its model, not excluded by a failover), and the
 * answer when none may: 404 for a model no engine serves, 503 while the engines that serve it are
 * down. The policy chooses among the rest.
 */
public final class CandidateEngines {

    private final EngineRegistry registry;
    private final int retryAfterSeconds;
    private final ModelAliases aliases;

    public CandidateEngines(EngineRegistry registry, int retryAfterSeconds) {
        this(registry, retryAfterSeconds, ModelAliases.none());
    }

    /** @param aliases named in the 404 for an unknown model, beside the served models */
    public CandidateEngines(EngineRegistry registry, int retryAfterSeconds, ModelAliases aliases) {
        this.registry = registry;
        this.retryAfterSeconds = retryAfterSeconds;
        this.aliases = aliases;
    }

    /** @param failover the request is placed again after an engine failed: the reason says so */
    public PlacementDecision place(PlacementPolicy policy, PlacementRequest request, boolean failover) {
        List<Engine> candidates = registry.candidates(request.model(), request.excluded());
        if (candidates.isEmpty()) {
            // No engine at all (discovery between two pods, every engine pod not ready) is a wait, not an
            // unknown model: the next pod may serve it.
            if (!registry.all().isEmpty() && !registry.anyServes(request.model())) {
                throw GatewayException.notFound("model_not_found", "model", unknownModel(request.model()));
            }
            throw GatewayException.unavailable("no_healthy_engine",
                    "No healthy engine serves the model '" + request.model() + "' right now", retryAfterSeconds);
        }
        PlacementDecision d = policy.place(request, candidates);
        return failover ? d.withReason(PlacementReason.FAILOVER) : d;
    }

    /** What a client needs to fix the request: the names that would work. */
    private String unknownModel(String model) {
        StringBuilder sb = new StringBuilder("The model '").append(model)
                .append("' does not exist or is not served by any engine; served models: ")
                .append(String.join(", ", registry.servedModels()));
        if (!aliases.asMap().isEmpty()) {
            sb.append("; aliases: ");
            String sep = "";
            for (java.util.Map.Entry<String, String> a : aliases.asMap().entrySet()) {
                sb.append(sep).append(a.getKey()).append(" -> ").append(a.getValue());
                sep = ", ";
            }
        }
        return sb.toString();
    }
}
