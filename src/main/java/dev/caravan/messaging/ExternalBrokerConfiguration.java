package dev.caravan.messaging;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code spring.artemis.mode=native}: no embedded broker. The gateway connects to the external
 * Artemis broker (or cluster) at {@code spring.artemis.broker-url} as {@code spring.artemis.user}
 * and reads/changes queues through management messages ({@link ExternalBrokerAdmin}). Several
 * gateway replicas can share one broker: all state (queues = membership, messages, counters for
 * the idle sweep) lives there. The broker needs the settings of
 * {@code broker/external-broker-example.xml}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "spring.artemis", name = "mode", havingValue = "native")
public class ExternalBrokerConfiguration {

    @Bean
    BrokerEndpoint brokerEndpoint(ArtemisProperties artemis) {
        return new BrokerEndpoint(artemis.getBrokerUrl(), artemis.getUser(), artemis.getPassword(), false);
    }

    /**
     * The external broker's security is its operator's (broker.xml, LDAP, ...): the gateway does not
     * change it, so native isolation per key must be configured there (docs/operations.md).
     */
    @Bean
    NativeWorkflowAccess nativeWorkflowAccess() {
        return NativeWorkflowAccess.NONE;
    }

    @Bean
    BrokerAdmin brokerAdmin(BrokerEndpoint endpoint, MessagingProperties properties) throws Exception {
        return new ExternalBrokerAdmin(endpoint.url(), endpoint.user(), endpoint.password(),
                properties.getManagementAddress(), properties.getManagementTimeout().toMillis());
    }
}
