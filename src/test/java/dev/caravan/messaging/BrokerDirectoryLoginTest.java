package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static dev.caravan.messaging.MessagingTestSupport.freePort;
import static dev.caravan.messaging.MessagingTestSupport.newWorkflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Not a {@link MessagingTestSupport}: that class's property source (its shared journal and acceptor
 * port) wins over a subclass's, and this context's broker cannot share the journal the cached messaging
 * context holds locked. Native logins from a JAAS login module ({@code caravan.messaging.jaas.*}): here Artemis's
 * PropertiesLoginModule over two files, standing in for its LDAPLoginModule (the same JAAS contract).
 * A user of the directory with the role {@code agent} messages like any agent, its roles come from the
 * directory (a user without one logs in but may not send), strangers and wrong passwords are refused,
 * and the gateway's own users (the shared agent user, the gateway's in-VM login behind REST) still work.
 */
@CamelSpringBootTest
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BrokerDirectoryLoginTest {

    static final Path DIRECTORY = directory();
    static final int DIRECTORY_PORT = freePort();

    @DynamicPropertySource
    static void directoryLogins(DynamicPropertyRegistry registry) {
        registry.add("caravan.messaging.data-dir", () -> DIRECTORY.resolve("journal").toString());
        registry.add("caravan.messaging.acceptor.enabled", () -> true);
        registry.add("caravan.messaging.acceptor.host", () -> "127.0.0.1");
        registry.add("caravan.messaging.acceptor.port", () -> DIRECTORY_PORT);
        registry.add("caravan.messaging.jaas.domain", () -> "caravan-agents");
        registry.add("caravan.messaging.jaas.login-config", () -> DIRECTORY.resolve("login.config").toString());
    }

    @Test
    void aDirectoryUserWithTheAgentRoleMessagesARestAgent() throws Exception {
        String wf = newWorkflow();
        try (Connection connection = amqp("directory-agent", "dir-secret-1")) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(AgentAddresses.queue(wf, "rest_agent")));
            producer.send(session.createTextMessage("{\"from\":\"the directory\"}"));
        }
        JsonNode inbox = poll(wf, "rest_agent", "?timeout=2");
        assertThat(inbox.get("count").asInt()).isEqualTo(1);
        assertThat(inbox.at("/messages/0/payload/from").asText()).isEqualTo("the directory");
    }

    @Test
    void theDirectorysRolesDecideAndStrangersAreRefused() throws Exception {
        assertThatThrownBy(() -> amqp("directory-agent", "wrong").close()).as("wrong password").isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> amqp("nobody", "dir-secret-1").close()).as("unknown user").isInstanceOf(JMSSecurityException.class);
        String wf = newWorkflow();
        try (Connection connection = amqp("directory-reader", "dir-secret-2")) { // in the directory, no role
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> session.createProducer(session.createQueue(AgentAddresses.queue(wf, "rest_agent")))
                    .send(session.createTextMessage("{}"))).isInstanceOf(JMSException.class)
                    .hasMessageContaining("directory-reader does not have permission");
        }
    }

    @Test
    void theGatewaysOwnUsersComeFirstAndStillLogIn() throws Exception {
        String wf = newWorkflow();
        sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"n\":1}}"); // the gateway's in-VM login
        try (Connection connection = amqp("caravan", "caravan")) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(AgentAddresses.queue(wf, "b"))).send(session.createTextMessage("{\"n\":2}"));
        }
        assertThat(poll(wf, "b", "?timeout=2&max_messages=10").get("count").asInt()).isEqualTo(2);
    }

    @LocalServerPort
    int port;
    @Autowired
    ObjectMapper mapper;

    private final HttpClient http = HttpClient.newHttpClient();

    private void sendMessage(String workflow, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/workflows/" + workflow + "/messages"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonNode poll(String workflow, String agent, String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/workflows/" + workflow
                + "/agents/" + agent + "/messages" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return mapper.readTree(r.body());
    }

    private static Connection amqp(String user, String password) throws JMSException {
        return MessagingTestSupport.amqp(DIRECTORY_PORT, user, password);
    }

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("caravan-jaas-");
            Files.writeString(dir.resolve("users.properties"), "directory-agent=dir-secret-1\ndirectory-reader=dir-secret-2\n");
            Files.writeString(dir.resolve("roles.properties"), "agent=directory-agent\n");
            Files.writeString(dir.resolve("login.config"), """
                    caravan-agents {
                        org.apache.activemq.artemis.spi.core.security.jaas.PropertiesLoginModule required
                            baseDir="%s"
                            org.apache.activemq.jaas.properties.user="users.properties"
                            org.apache.activemq.jaas.properties.role="roles.properties";
                    };
                    """.formatted(dir.toString().replace("\\", "/")));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
