package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.PlacementPolicy;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The placement step of the completion route: one policy (the workflow policy or the plain one, as
 * the route's content-based routing chose) picks an engine among the request's candidates. The call
 * remembers the policy, so a failover asks it again and it learns where the prompt went.
 */
public class PlaceRequest implements Processor {

    private final CandidateEngines candidates;
    private final PlacementPolicy policy;

    public PlaceRequest(CandidateEngines candidates, PlacementPolicy policy) {
        this.candidates = candidates;
        this.policy = policy;
    }

    public PlacementPolicy policy() { return policy; }

    @Override
    public void process(Exchange exchange) {
        CompletionCall call = CompletionCall.of(exchange);
        call.placed(policy, candidates.place(policy, call.request(), false));
    }
}
