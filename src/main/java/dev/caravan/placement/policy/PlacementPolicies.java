package dev.caravan.placement.policy;

import dev.caravan.core.PlacementPolicy;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The placement policies by configuration name ({@code caravan.routing.plain-policy}).
 *
 * <p>Immutable once built; the configuration class builds one with every policy so that the policy
 * in use can be chosen per request (workflow requests to {@code workflow-aware}, plain requests to the
 * configured plain policy) and switched by configuration without code.
 */
public final class PlacementPolicies {

    private final Map<String, PlacementPolicy> byName;

    public PlacementPolicies(Collection<? extends PlacementPolicy> policies) {
        Map<String, PlacementPolicy> m = new LinkedHashMap<>();
        for (PlacementPolicy p : policies) {
            if (m.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("two placement policies named " + p.name());
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** The three policies that need no shared state: round-robin, least-loaded, session. */
    public static PlacementPolicies plain() {
        return new PlacementPolicies(java.util.List.of(
                new RoundRobinPlacement(), new LeastLoadedPlacement(), new SessionAffinityPlacement()));
    }

    /**
     * The policy registered under {@code name}; unknown names fail fast with the list of valid ones,
     * so a typo in configuration stops the gateway at start-up rather than routing oddly.
     */
    public PlacementPolicy get(String name) {
        PlacementPolicy p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown placement policy '" + name + "', expected one of " + byName.keySet());
        }
        return p;
    }

    public Collection<String> names() { return byName.keySet(); }
}
