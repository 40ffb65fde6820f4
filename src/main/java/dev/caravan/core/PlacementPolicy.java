package dev.caravan.core;

import dev.caravan.engines.Engine;
import java.util.List;

/**
 * Chooses an engine for a request among candidates that are healthy, serve the model and are not
 * excluded. Implementations must be thread-safe and must not block: they run on the request path.
 */
public interface PlacementPolicy {

    /** The name used in configuration ({@code caravan.routing.plain-policy}) and in metrics. */
    String name();

    /** @param candidates never empty */
    PlacementDecision place(PlacementRequest request, List<Engine> candidates);

    /** Called once the engine accepted the request (response headers arrived), to learn from it. */
    default void onRouted(PlacementRequest request, Engine engine) {}
}
