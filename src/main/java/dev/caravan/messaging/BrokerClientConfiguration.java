package dev.caravan.messaging;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.jms.JmsComponent;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The gateway's JMS side, the same for the embedded and an external broker: the producer
 * connection factory the send route uses and the consumer connection for polls, leases and
 * streams, both pointed at {@link BrokerEndpoint}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MessagingProperties.class, ArtemisProperties.class})
public class BrokerClientConfiguration {

    /**
     * Producer-side factory: sessions and producers are cached because every REST send reuses them.
     * Persistent sends block until the broker has journalled the message (Artemis' default
     * blockOnDurableSend), which is what "sent" promises to the client. Defining it makes Boot's
     * Artemis auto-configuration back off.
     */
    @Bean
    @Primary
    ConnectionFactory jmsConnectionFactory(BrokerEndpoint endpoint, MessagingProperties properties) {
        // Large messages are stored outside the paging store and only their header counts
        // against max-size-bytes: every accepted payload is sent as a regular message (the embedded
        // broker keeps it one too: EmbeddedBrokerConfiguration sizes its journal records to match).
        int regular = properties.regularMessageBytes();
        ActiveMQConnectionFactory target = new ActiveMQConnectionFactory(
                endpoint.url("minLargeMessageSize=" + regular), endpoint.user(), endpoint.password());
        CachingConnectionFactory caching = new CachingConnectionFactory(target);
        // One session per concurrent durable send (it is held until the journal write is synced);
        // the cache only keeps sessions that were needed, it opens none in advance.
        caching.setSessionCacheSize(properties.getProducerSessionCache());
        caching.setCacheConsumers(false);
        // Off by default: every workflow has its own agent queues, so producers cached per session and
        // queue would grow with every queue ever sent to (and stay open on the broker).
        caching.setCacheProducers(properties.isCacheProducers());
        // An external broker that restarts: drop the shared connection and connect again.
        caching.setReconnectOnException(true);
        return caching;
    }

    /** Routes say {@code jms:queue:...}; bound explicitly to the caching factory above. */
    @Bean("jms")
    JmsComponent jms(ConnectionFactory jmsConnectionFactory) {
        JmsComponent jms = JmsComponent.jmsComponent(jmsConnectionFactory);
        // Destinations named in a jms: URI are built locally: Artemis' Session.createQueue would ask the
        // broker whether the queue exists on every send (a blocking round trip per message, seen in thread
        // dumps of the REST benchmark). The send route hands over its own (AgentAddresses.existingDestination).
        jms.getConfiguration().setDestinationResolver((session, name, topic) ->
                topic ? ActiveMQJMSClient.createTopic(name) : AgentAddresses.destination(name));
        return jms;
    }

    @Bean(destroyMethod = "close")
    InboxConnection inboxConnection(BrokerEndpoint endpoint) throws Exception {
        return InboxConnection.open(endpoint);
    }
}
