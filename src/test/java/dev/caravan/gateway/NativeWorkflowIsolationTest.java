package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.ApiKeyIds;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With API keys, native agents log in with their key (user = the key's id, password = the key) and
 * the broker enforces what REST enforces: a workflow bound to key A over REST is closed, per address,
 * to B's native logins and to the shared native user, and open to A's; unbound workflows stay open
 * to every agent login. Qpid JMS over AMQP 1.0, a real client on the broker's acceptor.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.security.api-keys=sk-native-alpha-1,sk-native-beta-2",
        "caravan.security.admin-keys=sk-native-admin-3"})
class NativeWorkflowIsolationTest extends GatewayTestSupport {

    static final String A = "sk-native-alpha-1";
    static final String B = "sk-native-beta-2";
    static final String ADMIN = "sk-native-admin-3";
    static final int NATIVE_PORT = freePort();

    @DynamicPropertySource
    static void acceptor(DynamicPropertyRegistry registry) {
        registry.add("caravan.messaging.acceptor.enabled", () -> true);
        registry.add("caravan.messaging.acceptor.host", () -> "127.0.0.1");
        registry.add("caravan.messaging.acceptor.port", () -> NATIVE_PORT);
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Connection amqp(String user, String password) throws Exception {
        Connection c = new JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + NATIVE_PORT).createConnection();
        c.start();
        return c;
    }

    Connection asKey(String key) throws Exception {
        return amqp(ApiKeyIds.of(key), key);
    }

    HttpResponse<String> send(String workflow, String key, String payload) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/workflows/" + workflow + "/messages")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"source_agent\":\"planner\",\"target_agent\":\"coder\",\"payload\":\""
                        + payload + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String queue(String workflow) {
        return "caravan.workflow." + workflow + ".agent.coder";
    }

    @Test
    void aWorkflowBoundToOneKeyIsClosedToOtherNativeLogins() throws Exception {
        String wf = "native-iso-" + UUID.randomUUID();
        assertThat(send(wf, A, "for-a").statusCode()).isEqualTo(200);

        try (Connection b = asKey(B)) {
            Session session = b.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> session.createConsumer(session.createQueue(queue(wf))).receive(2000))
                    .as("another key's native login").isInstanceOf(JMSSecurityException.class);
        }
        try (Connection shared = amqp("caravan", "caravan")) {
            Session session = shared.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> session.createProducer(session.createQueue(queue(wf))).send(session.createTextMessage("x")))
                    .as("the shared native user").isInstanceOf(JMSSecurityException.class);
        }
        try (Connection a = asKey(A)) {
            Session session = a.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue(wf)));
            Message m = consumer.receive(5000);
            assertThat(m).as("the owner's native login").isInstanceOf(TextMessage.class);
            assertThat(((TextMessage) m).getText()).contains("for-a");
            m.acknowledge();
            session.createProducer(session.createQueue("caravan.workflow." + wf + ".agent.planner"))
                    .send(session.createTextMessage("{\"reply\":true}"));
        }
        try (Connection admin = asKey(ADMIN)) {
            Session session = admin.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThat(session.createConsumer(session.createQueue("caravan.workflow." + wf + ".agent.planner")).receive(5000))
                    .as("an admin key's native login sees every workflow").isNotNull();
        }

        String open = "native-open-" + UUID.randomUUID();
        try (Connection b = asKey(B)) {
            Session session = b.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue(open))).send(session.createTextMessage("{\"n\":1}"));
        }
        assertThatThrownBy(() -> amqp(ApiKeyIds.of(A), "wrong-password").close()).isInstanceOf(JMSSecurityException.class);
    }
}
