package dev.caravan.proxy;

import dev.caravan.engines.Engine;
import io.vertx.core.http.HttpClientResponse;
import org.apache.camel.Exchange;

/**
 * What the forward step hands the answer step: the engine's response (a stream still paused, so
 * nothing is lost before the client is written to) or its whole body.
 *
 * @param engine               the engine that answered
 * @param response             the engine's response; its body already read when {@code body} is set
 * @param body                 the whole body of an answer that is not a stream of events, else null
 * @param gatewayAskedForUsage the gateway added {@code stream_options.include_usage}: the usage-only
 *                             event is the gateway's, not the client's
 * @param sentNanos            when the request was sent, for time to first token and latency
 * @param receivedNanos        when the whole body had arrived, or -1 for a stream
 */
record EngineAnswer(Engine engine, HttpClientResponse response, byte[] body, boolean gatewayAskedForUsage,
                    long sentNanos, long receivedNanos) {

    private static final String PROPERTY = "caravanEngineAnswer";

    boolean streamed() { return body == null; }

    void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }

    /** The answer the forward step received, taken off the exchange. @throws IllegalStateException without one */
    static EngineAnswer takeFrom(Exchange exchange) {
        EngineAnswer answer = exchange.getProperty(PROPERTY, EngineAnswer.class);
        if (answer == null) {
            throw new IllegalStateException("No engine answer on route " + exchange.getFromRouteId()
                    + ": the forward step must come before the answer step");
        }
        exchange.removeProperty(PROPERTY);
        return answer;
    }
}
