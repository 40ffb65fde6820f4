package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code spring.artemis.mode=native}: two gateway replicas (A and B, separate application
 * contexts without embedded brokers) against one standalone Artemis broker started from
 * {@code broker/external-broker-example.xml} on a free TCP port with credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExternalBrokerTest {

    private static final String GATEWAY_USER = "gw";
    private static final String GATEWAY_PASSWORD = "gw-secret";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final int brokerPort = MessagingTestSupport.freePort();
    private Path brokerDir;
    private EmbeddedActiveMQ broker;
    private ConfigurableApplicationContext gatewayA;
    private ConfigurableApplicationContext gatewayB;

    @BeforeAll
    void start() throws Exception {
        brokerDir = Files.createTempDirectory("caravan-external-broker-");
        broker = startBroker();
        gatewayA = startGateway();
        gatewayB = startGateway();
    }

    @AfterAll
    void stop() throws Exception {
        for (ConfigurableApplicationContext gateway : new ConfigurableApplicationContext[] {gatewayA, gatewayB}) {
            if (gateway != null) {
                gateway.close();
            }
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Order(1)
    void noEmbeddedBrokerAndTheGatewaySeesTheExternalOne() {
        assertThat(gatewayA.getBeansOfType(EmbeddedActiveMQ.class)).isEmpty();
        assertThat(gatewayA.getBean(BrokerAdmin.class)).isInstanceOf(ExternalBrokerAdmin.class);
        assertThat(gatewayA.getBean("brokerStatus", BrokerStatus.class).brokerUp()).isTrue();
    }

    @Test
    @Order(2)
    void restToRestThroughOneGatewayAndAcrossReplicas() throws Exception {
        String wf = "ext-" + System.nanoTime();
        JsonNode receipt = json(send(gatewayA, wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"n\":1},\"message_type\":\"query\",\"correlation_id\":\"c-1\"}"), 200);
        // The message is on the external broker, not in gateway A: gateway B hands it out.
        JsonNode inboxAtB = json(poll(gatewayB, wf, "b", "?timeout=5"), 200);
        assertThat(inboxAtB.get("count").asInt()).isEqualTo(1);
        JsonNode message = inboxAtB.get("messages").get(0);
        assertThat(message.get("id").asText()).isEqualTo(receipt.get("message_id").asText());
        assertThat(message.get("source").asText()).isEqualTo("a");
        assertThat(message.get("type").asText()).isEqualTo("query");
        assertThat(message.get("correlation_id").asText()).isEqualTo("c-1");
        assertThat(message.get("payload").get("n").asInt()).isEqualTo(1);
        assertThat(broker.getActiveMQServer().locateQueue(AgentAddresses.queue(wf, "b"))).isNotNull();

        // And back, B -> A, with has_more read from the broker's counters.
        json(send(gatewayB, wf, "{\"source_agent\":\"b\",\"target_agent\":\"a\",\"payload\":\"r1\"}"), 200);
        json(send(gatewayB, wf, "{\"source_agent\":\"b\",\"target_agent\":\"a\",\"payload\":\"r2\"}"), 200);
        JsonNode first = json(poll(gatewayA, wf, "a", "?timeout=5&max_messages=1"), 200);
        assertThat(first.get("messages").get(0).get("payload").asText()).isEqualTo("r1");
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(json(poll(gatewayA, wf, "a", "?timeout=5"), 200).get("messages").get(0).get("payload").asText()).isEqualTo("r2");
    }

    @Test
    @Order(3)
    void broadcastMembershipIsTheBrokersQueuesForEveryReplica() throws Exception {
        String wf = "ext-" + System.nanoTime();
        json(poll(gatewayA, wf, "reader", "?timeout=0"), 200);
        json(send(gatewayB, wf, "{\"source_agent\":\"sender\",\"target_agent\":\"addressed\",\"payload\":\"hello\"}"), 200);
        assertThat(gatewayA.getBean(WorkflowQueues.class).agents(wf)).containsExactly("addressed", "reader", "sender");
        assertThat(gatewayB.getBean(WorkflowQueues.class).agents(wf)).containsExactly("addressed", "reader", "sender");

        JsonNode receipt = json(send(gatewayA, wf, "{\"source_agent\":\"reader\",\"target_agent\":\"*\",\"payload\":{\"all\":true}}"), 200);
        assertThat(receipt.get("recipients").asInt()).isEqualTo(2);
        assertThat(json(poll(gatewayB, wf, "sender", "?timeout=5"), 200).get("count").asInt()).isEqualTo(1);
        assertThat(json(poll(gatewayA, wf, "addressed", "?timeout=5&max_messages=10"), 200).get("count").asInt()).isEqualTo(2);
        assertThat(json(poll(gatewayB, wf, "reader", "?timeout=0"), 200).get("count").asInt()).isZero();
    }

    @Test
    @Order(4)
    void deleteAndIdleSweepRemoveTheQueuesOnTheBroker() throws Exception {
        String wf = "ext-" + System.nanoTime();
        String kept = "ext-kept-" + System.nanoTime();
        json(send(gatewayA, wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}"), 200);
        json(send(gatewayA, kept, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}"), 200);
        // Deleted through replica B although A created the queues.
        assertThat(gatewayB.getBean("workflowQueues", WorkflowQueues.class).deleteWorkflow(wf)).isEqualTo(2);
        assertThat(broker.getActiveMQServer().locateQueue(AgentAddresses.queue(wf, "a"))).isNull();
        assertThat(broker.getActiveMQServer().locateQueue(AgentAddresses.queue(wf, "b"))).isNull();
        assertThat(broker.getActiveMQServer().getAddressInfo(org.apache.activemq.artemis.api.core.SimpleString.of(AgentAddresses.queue(wf, "b")))).isNull();
        assertThat(gatewayA.getBean(WorkflowQueues.class).agents(wf)).isEmpty();
        assertThat(gatewayA.getBean(WorkflowQueues.class).agents(kept)).containsExactly("a", "b");

        // Idle sweep from the broker's counters: unchanged for longer than the TTL -> deleted.
        String idle = "ext-idle-" + System.nanoTime();
        json(poll(gatewayA, idle, "x", "?timeout=0"), 200);
        IdleWorkflowSweeper sweeper = gatewayA.getBean(IdleWorkflowSweeper.class);
        long now = System.currentTimeMillis();
        sweeper.sweep(now);
        json(send(gatewayB, kept, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":2}"), 200);
        assertThat(sweeper.sweep(now + sweeper.idleTtlMillis() + 1)).contains(idle).doesNotContain(kept);
        assertThat(broker.getActiveMQServer().locateQueue(AgentAddresses.queue(idle, "x"))).isNull();
    }

    @Test
    @Order(5)
    void brokerDownMeans503AndTheGatewayRecoversWhenItIsBack() throws Exception {
        BrokerStatus status = gatewayA.getBean("brokerStatus", BrokerStatus.class);
        String wf = "ext-" + System.nanoTime();
        json(send(gatewayA, wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":\"before\"}"), 200);
        assertThat(json(get(gatewayA, "/health"), -1).get("broker").asText()).isEqualTo("up");

        broker.stop();
        assertThat(status.brokerUp()).isFalse();
        HttpResponse<String> health = get(gatewayA, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health, 503).get("broker").asText()).isEqualTo("down");
        JsonNode refused = json(send(gatewayA, wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":\"during\"}"), 503);
        assertThat(refused.get("error").get("code").asText()).isEqualTo("broker_unavailable");
        assertThat(refused.get("error").get("type").asText()).isEqualTo("service_unavailable");
        assertThat(json(poll(gatewayB, wf, "b", "?timeout=1"), 503).get("error").get("code").asText()).isEqualTo("broker_unavailable");

        // Same journal, same port: the gateways reconnect on their own; the stored message is still there.
        broker = startBroker();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!status.brokerUp() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(status.brokerUp()).isTrue();
        json(send(gatewayA, wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":\"after\"}"), 200);
        JsonNode inbox = json(poll(gatewayB, wf, "b", "?timeout=5&max_messages=10"), 200);
        assertThat(inbox.get("messages").findValuesAsText("payload")).containsExactly("before", "after");
    }

    /**
     * Agents keep sending through both replicas while the broker stops and comes back: every send a
     * gateway acknowledged (200) before, during or after the outage is delivered afterwards, exactly
     * once; sends during the outage are refused with 503 (never a 200 that is lost); and once the
     * broker is back the same senders get 200s again without any restart of the gateways.
     */
    @Test
    @Order(6)
    void sendsAcknowledgedAroundABrokerRestartAreAllDeliveredOnce() throws Exception {
        BrokerStatus status = gatewayA.getBean("brokerStatus", BrokerStatus.class);
        String wf = "ext-restart-" + System.nanoTime();
        java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ConcurrentLinkedQueue<Integer> otherStatuses = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger afterRestart = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean restarted = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> senders = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ConfigurableApplicationContext via = t % 2 == 0 ? gatewayA : gatewayB;
            String agent = "sender" + t;
            Thread sender = new Thread(() -> {
                for (int n = 0; sending.get(); n++) {
                    String payload = agent + "-" + n;
                    try {
                        HttpResponse<String> r = send(via, wf, "{\"source_agent\":\"" + agent
                                + "\",\"target_agent\":\"inbox\",\"payload\":\"" + payload + "\"}");
                        if (r.statusCode() == 200) {
                            acknowledged.add(payload);
                            if (restarted.get()) afterRestart.incrementAndGet();
                        } else if (r.statusCode() == 503) {
                            refused.incrementAndGet();
                            Thread.sleep(50);
                        } else {
                            otherStatuses.add(r.statusCode());
                        }
                    } catch (Exception e) {
                        otherStatuses.add(-1);
                    }
                }
            }, "restart-sender-" + t);
            sender.start();
            senders.add(sender);
        }
        long deadline = System.currentTimeMillis() + 20_000;
        while (acknowledged.size() < 40 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        broker.stop();
        Thread.sleep(1_000); // agents keep sending into the outage
        broker = startBroker();
        deadline = System.currentTimeMillis() + 30_000;
        while (!status.brokerUp() && System.currentTimeMillis() < deadline) Thread.sleep(100);
        restarted.set(true);
        deadline = System.currentTimeMillis() + 30_000;
        while (afterRestart.get() < 40 && System.currentTimeMillis() < deadline) Thread.sleep(50);
        sending.set(false);
        for (Thread sender : senders) sender.join(30_000);

        assertThat(otherStatuses).as("only 200 or 503, never a lost or broken answer").isEmpty();
        assertThat(refused.get()).as("the outage was seen by the senders").isPositive();
        assertThat(afterRestart.get()).as("the same senders are served again after the restart").isGreaterThanOrEqualTo(40);

        java.util.List<String> delivered = new java.util.ArrayList<>();
        for (int polls = 0; polls < 200; polls++) {
            JsonNode page = json(poll(polls % 2 == 0 ? gatewayA : gatewayB, wf, "inbox", "?timeout=1&max_messages=100"), 200);
            if (page.get("count").asInt() == 0) break;
            delivered.addAll(page.get("messages").findValuesAsText("payload"));
        }
        assertThat(delivered).as("delivered once each").doesNotHaveDuplicates();
        assertThat(delivered).as("every acknowledged send is delivered").containsAll(acknowledged);
    }

    private EmbeddedActiveMQ startBroker() throws Exception {
        FileConfiguration configuration = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(
                Path.of("broker/external-broker-example.xml").toAbsolutePath().toUri().toString());
        deployment.addDeployable(configuration);
        deployment.readConfiguration();
        configuration.clearAcceptorConfigurations();
        configuration.addAcceptorConfiguration("artemis", "tcp://127.0.0.1:" + brokerPort + "?protocols=CORE,AMQP");
        Configuration c = configuration;
        c.setJournalDirectory(brokerDir.resolve("journal").toString())
                .setBindingsDirectory(brokerDir.resolve("bindings").toString())
                .setPagingDirectory(brokerDir.resolve("paging").toString())
                .setLargeMessagesDirectory(brokerDir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(brokerDir.resolve("lock").toString())
                .setJMXManagementEnabled(false);
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(GATEWAY_USER, GATEWAY_PASSWORD);
        users.addRole(GATEWAY_USER, "gateway");
        users.addUser("agent", "agent-secret");
        users.addRole("agent", "agent");
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(c);
        server.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        server.start();
        return server;
    }

    private ConfigurableApplicationContext startGateway() {
        return new SpringApplicationBuilder(CaravanApplication.class).run(
                "--server.port=0",
                "--spring.artemis.mode=native",
                "--spring.artemis.broker-url=tcp://127.0.0.1:" + brokerPort,
                "--spring.artemis.user=" + GATEWAY_USER,
                "--spring.artemis.password=" + GATEWAY_PASSWORD,
                "--caravan.messaging.management-timeout=2s",
                "--camel.main.routes-reload-enabled=false");
    }

    private HttpResponse<String> send(ConfigurableApplicationContext gateway, String wf, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(gateway, "/v1/workflows/" + wf + "/messages"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> poll(ConfigurableApplicationContext gateway, String wf, String agent, String query) throws Exception {
        return get(gateway, "/v1/workflows/" + wf + "/agents/" + agent + "/messages" + query);
    }

    private HttpResponse<String> get(ConfigurableApplicationContext gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(gateway, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body as JSON, after checking the status (-1: any). */
    private JsonNode json(HttpResponse<String> response, int expectedStatus) throws Exception {
        if (expectedStatus >= 0) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        }
        return mapper.readTree(response.body());
    }

    private static URI uri(ConfigurableApplicationContext gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port") + path);
    }
}
