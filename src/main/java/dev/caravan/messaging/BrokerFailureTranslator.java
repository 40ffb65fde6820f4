package dev.caravan.messaging;

import dev.caravan.core.GatewayException;
import org.apache.activemq.artemis.api.core.ActiveMQAddressFullException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Decides what a failed broker send means for the client: a full queue (address-full-policy FAIL)
 * is 429 so the sender backs off and retries, a broker that is down or refuses is 503.
 * Runs in the send route's onException: it replaces the caught exception with the
 * {@link GatewayException} that {@code openAiErrorResponse} then writes.
 */
@Component("brokerFailureTranslator")
public class BrokerFailureTranslator implements Processor {

    private final BrokerStatus broker;

    public BrokerFailureTranslator(BrokerStatus broker) {
        this.broker = broker;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, translate(failure));
    }

    public Exception translate(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof GatewayException g) {
                return g;
            }
            if (c instanceof ActiveMQAddressFullException
                    || (c instanceof ActiveMQException a && a.getType() == ActiveMQExceptionType.ADDRESS_FULL)
                    || c instanceof jakarta.jms.ResourceAllocationException
                    || (c.getMessage() != null && c.getMessage().contains("AMQ229102"))) {
                return GatewayException.tooManyRequests("queue_full",
                        "The target agent's queue is full; retry after it has read some messages", 1);
            }
        }
        if (!broker.brokerUp() || isBrokerFailure(failure)) {
            return GatewayException.unavailable("broker_unavailable", "The message broker is not available", 5);
        }
        return failure instanceof Exception e ? e : new RuntimeException(failure);
    }

    private static boolean isBrokerFailure(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof jakarta.jms.JMSException || c instanceof org.springframework.jms.JmsException
                    || c instanceof ActiveMQException) {
                return true;
            }
        }
        return false;
    }
}
