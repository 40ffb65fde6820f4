package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Native logins from a JAAS login module ({@code caravan.messaging.jaas.*}): here Artemis's
 * PropertiesLoginModule over two files, standing in for its LDAPLoginModule (the same JAAS contract).
 * A user of the directory with the role {@code agent} messages like any agent, its roles come from the
 * directory (a user without one logs in but may not send), strangers and wrong passwords are refused,
 * and the gateway's own users (the shared agent user, the gateway's in-VM login behind REST) still work.
 */
class BrokerDirectoryLoginTest extends MessagingTestSupport {

    static final Path DIRECTORY = directory();

    @DynamicPropertySource
    static void directoryLogins(DynamicPropertyRegistry registry) {
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

    private static Connection amqp(String user, String password) throws JMSException {
        Connection connection = new JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + NATIVE_PORT).createConnection();
        connection.start();
        return connection;
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
