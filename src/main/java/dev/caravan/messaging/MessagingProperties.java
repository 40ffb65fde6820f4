package dev.caravan.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.messaging.*}: what the gateway decides about agent messaging. Broker guarantees
 * (TTL default, delivery attempts, queue bound, scan period) are placeholders in
 * {@code broker/broker.xml} and resolved from the same keys, so there is one place to tune them.
 */
@ConfigurationProperties(prefix = "caravan.messaging")
public class MessagingProperties {

    /** Artemis configuration file, resolved against the Spring environment before parsing. */
    private String brokerXml = "broker/broker.xml";
    /** Journal, bindings, paging and large-message directories live under this directory. */
    private String dataDir = "data/broker";
    /** Credentials native clients (CORE, AMQP, STOMP, MQTT) use; role "agent". */
    private String user = "caravan";
    private String password = "caravan";
    /** Largest accepted payload (serialized JSON) in bytes; larger sends answer 413. */
    private int maxPayloadBytes = 1024 * 1024;
    /** Long-poll timeout used when the client gives none, and the cap on what a client may ask. */
    private Duration defaultPollTimeout = Duration.ofSeconds(1);
    private Duration maxPollTimeout = Duration.ofSeconds(25);
    /** Upper bound for max_messages on one poll. */
    private int maxMessagesPerPoll = 100;
    /** How long messages received with ack=manual stay leased before they come back. */
    private Duration leaseTimeout = Duration.ofSeconds(30);
    private Duration maxLeaseTimeout = Duration.ofMinutes(15);
    /** Workflows whose queues saw no traffic and have no consumers for this long are deleted. */
    private Duration workflowIdleTtl = Duration.ofHours(24);
    private Duration idleSweepInterval = Duration.ofMinutes(1);
    /** An SSE comment is written this often so a vanished client is noticed and its consumer closed. */
    private Duration streamHeartbeat = Duration.ofSeconds(15);
    /** External broker (spring.artemis.mode=native): its management address and how long to wait for an answer. */
    private String managementAddress = "activemq.management";
    private Duration managementTimeout = Duration.ofSeconds(5);
    /**
     * Producer sessions kept open for REST sends. A durable send holds its session until the broker
     * has journalled the message, so every concurrent send needs one; sends beyond this many open and
     * close a session (two extra broker round trips) each time.
     */
    private int producerSessionCache = 256;
    /**
     * Whether each cached producer session also keeps a producer per queue it sent to. Off: every
     * workflow has its own agent queues, so such producers grow with every queue ever sent to and stay
     * open on the broker after the workflow ended.
     */
    private boolean cacheProducers = false;
    /** Slots every agent queue preallocates for incoming messages (broker.xml initial-queue-buffer-size, power of 2). */
    private int queueBufferSize = 128;
    /**
     * Bytes the broker may push ahead to an ack=auto poll's consumer; 0: none, one broker round trip
     * per message (measured: 64 KiB gave ~15 % more REST throughput and half the long-poll p99). What
     * the poll does not take goes back to the head of the queue when its consumer closes, its delivery
     * count restored.
     */
    private int pollWindowBytes = 64 * 1024;
    private final Acceptor acceptor = new Acceptor();
    private final Metrics metrics = new Metrics();
    private final Jaas jaas = new Jaas();

    /**
     * {@code caravan.messaging.jaas.*}: native logins of the embedded broker also from a JAAS login
     * module (Artemis's LDAPLoginModule for a directory, PropertiesLoginModule for files, ...), after the
     * users the gateway configures itself (its own, the shared agent user, one per API key).
     */
    public static class Jaas {
        /** The entry of the login configuration to use; empty: the configured users only. */
        private String domain = "";
        /**
         * The login configuration file; empty: the JVM's own ({@code -Djava.security.auth.login.config}),
         * as Artemis's standalone broker reads it.
         */
        private String loginConfig = "";

        public String getDomain() { return domain; }
        public void setDomain(String domain) { this.domain = domain == null ? "" : domain.trim(); }
        public String getLoginConfig() { return loginConfig; }
        public void setLoginConfig(String loginConfig) { this.loginConfig = loginConfig == null ? "" : loginConfig.trim(); }
    }

    /** {@code caravan.messaging.metrics.*}: the agent queues' series, read from the broker's counters. */
    public static class Metrics {
        /**
         * Agent queues named in {@code vllm_workflow_message_queue_size} (the deepest); the others are
         * summed in one series labelled {@code other}, so the series stay bounded for any number of agents.
         */
        private int topQueues = 10;
        /** How often the broker's agent queues are read (one listing of them per read). */
        private Duration refresh = Duration.ofSeconds(15);

        public int getTopQueues() { return topQueues; }
        public void setTopQueues(int topQueues) { this.topQueues = Math.max(0, topQueues); }
        public Duration getRefresh() { return refresh; }
        public void setRefresh(Duration refresh) { this.refresh = refresh; }
    }

    public static class Acceptor {
        /** false: no TCP acceptor at all, only the gateway's in-VM connection. */
        private boolean enabled = true;
        private final Tls tls = new Tls();

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public Tls getTls() { return tls; }
    }

    /**
     * {@code caravan.messaging.acceptor.tls.*}: TLS on the native acceptor, for every protocol on it
     * (clients use amqps://, ssl:// for CORE and MQTT, stomp+ssl). Artemis reads the key store itself.
     */
    public static class Tls {
        private boolean enabled = false;
        /** A file path (PKCS12 or JKS). */
        private String keyStore;
        private String keyStorePassword;
        private String keyStoreType = "PKCS12";
        /** Ask clients for a certificate signed by the trust store (mutual TLS). */
        private boolean needClientAuth = false;
        private String trustStore;
        private String trustStorePassword;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getKeyStore() { return keyStore; }
        public void setKeyStore(String keyStore) { this.keyStore = keyStore; }
        public String getKeyStorePassword() { return keyStorePassword; }
        public void setKeyStorePassword(String keyStorePassword) { this.keyStorePassword = keyStorePassword; }
        public String getKeyStoreType() { return keyStoreType; }
        public void setKeyStoreType(String keyStoreType) { this.keyStoreType = keyStoreType; }
        public boolean isNeedClientAuth() { return needClientAuth; }
        public void setNeedClientAuth(boolean needClientAuth) { this.needClientAuth = needClientAuth; }
        public String getTrustStore() { return trustStore; }
        public void setTrustStore(String trustStore) { this.trustStore = trustStore; }
        public String getTrustStorePassword() { return trustStorePassword; }
        public void setTrustStorePassword(String trustStorePassword) { this.trustStorePassword = trustStorePassword; }
    }

    public String getBrokerXml() { return brokerXml; }
    public void setBrokerXml(String brokerXml) { this.brokerXml = brokerXml; }
    public String getDataDir() { return dataDir; }
    public void setDataDir(String dataDir) { this.dataDir = dataDir; }
    public String getUser() { return user; }
    public void setUser(String user) { this.user = user; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public int getMaxPayloadBytes() { return maxPayloadBytes; }

    /**
     * The size up to which a message stays a regular (not a "large") Artemis message: every payload the
     * gateway accepts (max-payload-bytes, UTF-16 in a core text message, plus properties). Large
     * messages keep their body in files outside the address's size, so only regular ones keep a
     * queue's max-size-bytes (the 429) honest.
     */
    public int regularMessageBytes() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(100 * 1024, 2L * maxPayloadBytes + 256 * 1024));
    }
    public void setMaxPayloadBytes(int maxPayloadBytes) { this.maxPayloadBytes = maxPayloadBytes; }
    public Duration getDefaultPollTimeout() { return defaultPollTimeout; }
    public void setDefaultPollTimeout(Duration defaultPollTimeout) { this.defaultPollTimeout = defaultPollTimeout; }
    public Duration getMaxPollTimeout() { return maxPollTimeout; }
    public void setMaxPollTimeout(Duration maxPollTimeout) { this.maxPollTimeout = maxPollTimeout; }
    public int getMaxMessagesPerPoll() { return maxMessagesPerPoll; }
    public void setMaxMessagesPerPoll(int maxMessagesPerPoll) { this.maxMessagesPerPoll = maxMessagesPerPoll; }
    public Duration getLeaseTimeout() { return leaseTimeout; }
    public void setLeaseTimeout(Duration leaseTimeout) { this.leaseTimeout = leaseTimeout; }
    public Duration getMaxLeaseTimeout() { return maxLeaseTimeout; }
    public void setMaxLeaseTimeout(Duration maxLeaseTimeout) { this.maxLeaseTimeout = maxLeaseTimeout; }
    public Duration getWorkflowIdleTtl() { return workflowIdleTtl; }
    public void setWorkflowIdleTtl(Duration workflowIdleTtl) { this.workflowIdleTtl = workflowIdleTtl; }
    public Duration getIdleSweepInterval() { return idleSweepInterval; }
    public void setIdleSweepInterval(Duration idleSweepInterval) { this.idleSweepInterval = idleSweepInterval; }
    public Duration getStreamHeartbeat() { return streamHeartbeat; }
    public void setStreamHeartbeat(Duration streamHeartbeat) { this.streamHeartbeat = streamHeartbeat; }
    public String getManagementAddress() { return managementAddress; }
    public void setManagementAddress(String managementAddress) { this.managementAddress = managementAddress; }
    public Duration getManagementTimeout() { return managementTimeout; }
    public void setManagementTimeout(Duration managementTimeout) { this.managementTimeout = managementTimeout; }
    public int getProducerSessionCache() { return producerSessionCache; }
    public void setProducerSessionCache(int producerSessionCache) { this.producerSessionCache = producerSessionCache; }
    public boolean isCacheProducers() { return cacheProducers; }
    public void setCacheProducers(boolean cacheProducers) { this.cacheProducers = cacheProducers; }
    public int getPollWindowBytes() { return pollWindowBytes; }
    public void setPollWindowBytes(int pollWindowBytes) { this.pollWindowBytes = pollWindowBytes; }
    public int getQueueBufferSize() { return queueBufferSize; }
    public void setQueueBufferSize(int queueBufferSize) { this.queueBufferSize = queueBufferSize; }
    public Acceptor getAcceptor() { return acceptor; }
    public Metrics getMetrics() { return metrics; }
    public Jaas getJaas() { return jaas; }
}
