package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.EngineFailureException;
import dev.caravan.core.GatewayException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Runs before the error handler redelivers a request whose engine failed before answering: the
 * request is placed again by the same policy without that engine, so the retry goes elsewhere.
 */
public class FailoverToAnotherEngine implements Processor {

    private final CandidateEngines candidates;

    public FailoverToAnotherEngine(CandidateEngines candidates) {
        this.candidates = candidates;
    }

    @Override
    public void process(Exchange exchange) {
        Throwable caught = exchange.getException();
        if (caught == null) {
            caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        CompletionCall call = CompletionCall.of(exchange);
        if (call.placedBy() == null || !(caught instanceof EngineFailureException failure)) {
            return;
        }
        call.exclude(failure.engine().id());
        try {
            call.placed(call.placedBy(), candidates.place(call.placedBy(), call.request(), true));
        } catch (GatewayException noneLeft) {
            // thrown by the forward step, so that it ends the request like any other failure
            call.noEngineLeft(noneLeft);
        }
    }
}
