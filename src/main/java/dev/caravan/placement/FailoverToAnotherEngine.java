package dev.caravan.routing;

import dev.caravan.proxy.EngineFailureException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Runs before the error handler redelivers a request whose engine failed before answering: the
 * request is placed again without that engine, so the retry goes elsewhere.
 */
public class FailoverToAnotherEngine implements Processor {

    @Override
    public void process(Exchange exchange) {
        Throwable caught = exchange.getException();
        if (caught == null) {
            caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        PlaceRequest step = exchange.getProperty(PlaceRequest.STEP_PROPERTY, PlaceRequest.class);
        if (step != null && caught instanceof EngineFailureException failure) {
            step.failover(exchange, failure.engine());
        }
    }
}
