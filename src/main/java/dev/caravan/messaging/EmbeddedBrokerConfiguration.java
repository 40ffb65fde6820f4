package dev.caravan.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.caravan.core.ApiKeyIds;
import java.util.HashMap;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import java.util.Map;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.MetricsConfiguration;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Starts the embedded Artemis broker from {@code broker/broker.xml} and gives the gateway its own
 * authenticated in-VM connection (default, {@code spring.artemis.mode=embedded}). With
 * {@code spring.artemis.mode=native} {@link ExternalBrokerConfiguration} applies instead.
 *
 * <p>Spring Boot's embedded connection factory carries no credentials, and broker.xml enables
 * security for native clients; so this configuration defines the connection factory (which makes
 * Boot's Artemis auto-configuration back off) and therefore also the {@link EmbeddedActiveMQ}.
 * {@code spring.artemis.embedded.server-id} (Boot's per-context counter by default) names the
 * in-VM acceptor, so several application contexts in one JVM (tests) do not collide.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "spring.artemis", name = "mode", havingValue = "embedded", matchIfMissing = true)
public class EmbeddedBrokerConfiguration {

    /** The gateway's own broker user; its password is random per start so no outside client can use it. */
    static final String GATEWAY_USER = "caravan-gateway";

    @Bean
    GatewayCredentials gatewayCredentials() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return new GatewayCredentials(GATEWAY_USER, HexFormat.of().formatHex(secret));
    }

    @Bean
    Configuration artemisConfiguration(Environment environment, MessagingProperties properties,
                                       ArtemisProperties artemis, ObjectProvider<MeterRegistry> meters) throws Exception {
        String xml = Files.readString(Path.of(properties.getBrokerXml()), StandardCharsets.UTF_8);
        // Artemis itself only substitutes JVM system properties; resolve Spring keys first.
        String resolved = environment.resolveRequiredPlaceholders(xml);
        // Kept beside the journal: what the broker actually runs with, for whoever debugs it.
        Path dataDir = Path.of(properties.getDataDir());
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("broker.resolved.xml");
        Files.writeString(file, resolved, StandardCharsets.UTF_8);
        FileConfiguration configuration = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(file.toUri().toString());
        deployment.addDeployable(configuration);
        deployment.readConfiguration();
        if (!properties.getAcceptor().isEnabled()) {
            configuration.getAcceptorConfigurations().removeIf(a -> "native".equals(a.getName()));
        }
        secureNativeAcceptor(configuration, properties.getAcceptor().getTls());
        keepMessagesRegular(configuration, properties.regularMessageBytes());
        configuration.addAcceptorConfiguration("in-vm", inVmUrl(artemis));
        MeterRegistry registry = meters.getIfAvailable();
        MetricsConfiguration metrics = configuration.getMetricsConfiguration();
        if (registry != null && (metrics == null || metrics.getPlugin() == null)) { // broker.xml may name its own plugin
            configuration.setMetricsConfiguration((metrics == null ? new MetricsConfiguration() : metrics)
                    .setPlugin(new BrokerMetricsPlugin(registry)));
        }
        // The resolved copy is a snapshot; changes belong in broker/broker.xml and a restart.
        configuration.setConfigurationFileRefreshPeriod(-1);
        return configuration;
    }

    @Bean(initMethod = "start", destroyMethod = "stop")
    EmbeddedActiveMQ embeddedActiveMq(Configuration configuration, MessagingProperties properties,
                                      GatewayCredentials gateway, Environment environment) {
        BrokerLogins users = BrokerLogins.of(properties.getJaas());
        users.addUser(gateway.user(), gateway.password());
        users.addRole(gateway.user(), "gateway");
        users.addUser(properties.getUser(), properties.getPassword());
        users.addRole(properties.getUser(), "agent");
        // Each API key logs in natively too: user = the key's id, password = the key. Its role names the
        // key, so the workflows it owns can be closed to every other login (EmbeddedNativeWorkflowAccess).
        for (String key : apiKeys(environment, "caravan.security.api-keys")) {
            String id = ApiKeyIds.of(key);
            users.addUser(id, key);
            users.addRole(id, "agent");
            users.addRole(id, EmbeddedNativeWorkflowAccess.keyRole(id));
        }
        for (String key : apiKeys(environment, "caravan.security.admin-keys")) {
            String id = ApiKeyIds.of(key);
            users.addUser(id, key);
            users.addRole(id, "agent");
            users.addRole(id, EmbeddedNativeWorkflowAccess.ADMIN_ROLE);
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(configuration);
        broker.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        return broker;
    }

    /** With API keys, workflows a key owns are closed natively to other keys' logins and the shared user. */
    @Bean
    NativeWorkflowAccess nativeWorkflowAccess(EmbeddedActiveMQ broker, Environment environment) {
        return apiKeys(environment, "caravan.security.api-keys").isEmpty() ? NativeWorkflowAccess.NONE
                : new EmbeddedNativeWorkflowAccess(broker);
    }

    private static List<String> apiKeys(Environment environment, String property) {
        return Binder.get(environment).bind(property, Bindable.listOf(String.class)).orElse(List.of()).stream()
                .map(String::trim).filter(k -> !k.isEmpty()).toList();
    }

    /** The gateway's in-VM connection; depends on the broker so it is started first. */
    @Bean
    BrokerEndpoint brokerEndpoint(EmbeddedActiveMQ broker, ArtemisProperties artemis, GatewayCredentials gateway) {
        return new BrokerEndpoint(inVmUrl(artemis), gateway.user(), gateway.password(), true);
    }

    @Bean
    BrokerAdmin brokerAdmin(EmbeddedActiveMQ broker) {
        return new EmbeddedBrokerAdmin(broker);
    }

    /**
     * A message whose record is larger than the journal buffer is turned into a large message by the
     * broker, whatever the client sent, and a large message's body does not count against its
     * queue's max-size-bytes (40 payloads of 300,000 characters were stored while the queue counted
     * 73 KB). Journal records and the native protocols' large-message thresholds are sized so every
     * message up to {@code regularBytes} stays regular and counts in full. Settings broker.xml gives
     * explicitly and larger are kept.
     */
    static void keepMessagesRegular(Configuration configuration, int regularBytes) {
        configuration.setJournalBufferSize_NIO(Math.max(configuration.getJournalBufferSize_NIO(), regularBytes));
        configuration.setJournalBufferSize_AIO(Math.max(configuration.getJournalBufferSize_AIO(), regularBytes));
        configuration.setJournalFileSize(Math.max(configuration.getJournalFileSize(), 2 * regularBytes));
        for (org.apache.activemq.artemis.api.core.TransportConfiguration acceptor : configuration.getAcceptorConfigurations()) {
            for (String key : new String[] {"amqpMinLargeMessageSize", "stompMinLargeMessageSize"}) {
                if (!acceptor.getCombinedParams().containsKey(key)) {
                    acceptor.getExtraParams().put(key, String.valueOf(regularBytes));
                }
            }
        }
    }

    /**
     * {@code caravan.messaging.acceptor.tls}: the native acceptor's TLS parameters, set in code so the
     * key store password stays in the Spring environment (a Secret) rather than in broker.xml.
     * Parameters broker.xml gives on the acceptor itself win.
     */
    static void secureNativeAcceptor(Configuration configuration, MessagingProperties.Tls tls) {
        if (!tls.isEnabled()) return;
        if (tls.getKeyStore() == null || tls.getKeyStore().isBlank()) {
            throw new IllegalStateException("caravan.messaging.acceptor.tls.enabled=true needs caravan.messaging.acceptor.tls.key-store");
        }
        Map<String, String> params = new HashMap<>();
        params.put(TransportConstants.SSL_ENABLED_PROP_NAME, "true");
        params.put(TransportConstants.KEYSTORE_PATH_PROP_NAME, tls.getKeyStore());
        params.put(TransportConstants.KEYSTORE_TYPE_PROP_NAME, tls.getKeyStoreType());
        if (tls.getKeyStorePassword() != null) params.put(TransportConstants.KEYSTORE_PASSWORD_PROP_NAME, tls.getKeyStorePassword());
        if (tls.isNeedClientAuth()) {
            params.put(TransportConstants.NEED_CLIENT_AUTH_PROP_NAME, "true");
            if (tls.getTrustStore() != null) params.put(TransportConstants.TRUSTSTORE_PATH_PROP_NAME, tls.getTrustStore());
            if (tls.getTrustStorePassword() != null) params.put(TransportConstants.TRUSTSTORE_PASSWORD_PROP_NAME, tls.getTrustStorePassword());
        }
        for (org.apache.activemq.artemis.api.core.TransportConfiguration acceptor : configuration.getAcceptorConfigurations()) {
            if ("native".equals(acceptor.getName())) {
                params.forEach(acceptor.getParams()::putIfAbsent);
            }
        }
    }

    static String inVmUrl(ArtemisProperties artemis) {
        return "vm://" + artemis.getEmbedded().getServerId();
    }

    /** The gateway's broker identity, a bean so it is never static. */
    public record GatewayCredentials(String user, String password) { }
}
