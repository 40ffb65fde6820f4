package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * The native acceptor serves four protocols on one port; each must refuse a client that gives no
 * credentials or wrong ones, and let the configured user in (so a refusal is the credentials', not
 * a broken listener's). CORE and AMQP through their real JMS clients, STOMP and MQTT by their frames.
 */
class AcceptorRefusesStrangersTest extends MessagingTestSupport {

    @Test
    void coreRefusesAnonymousAndWrongPasswords() throws Exception {
        String url = "tcp://127.0.0.1:" + NATIVE_PORT;
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url).createConnection().close())
                .as("anonymous").isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> new ActiveMQConnectionFactory(url, "caravan", "wrong").createConnection().close())
                .as("wrong password").isInstanceOf(JMSSecurityException.class);
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, "caravan", "caravan");
             Connection connection = factory.createConnection()) {
            connection.start();
        }
    }

    @Test
    void amqpRefusesAnonymousAndWrongPasswords() throws Exception {
        String url = "amqp://127.0.0.1:" + NATIVE_PORT;
        // Qpid JMS connects on start(), not when the connection object is created
        assertThatThrownBy(() -> started(new JmsConnectionFactory(url).createConnection()))
                .as("anonymous (SASL ANONYMOUS)").isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> started(new JmsConnectionFactory("caravan", "wrong", url).createConnection()))
                .as("wrong password").isInstanceOf(JMSSecurityException.class);
        try (Connection connection = new JmsConnectionFactory("caravan", "caravan", url).createConnection()) {
            connection.start();
        }
    }

    @Test
    void stompRefusesAnonymousAndWrongPasswords() throws Exception {
        assertThat(stompConnect(null, null)).as("anonymous").startsWith("ERROR");
        assertThat(stompConnect("caravan", "wrong")).as("wrong passcode").startsWith("ERROR");
        assertThat(stompConnect("caravan", "caravan")).startsWith("CONNECTED");
    }

    @Test
    void mqttRefusesAnonymousAndWrongPasswords() throws Exception {
        assertThat(mqttConnackCode(null, null)).as("anonymous: not authorized or bad user name or password").isIn(4, 5);
        assertThat(mqttConnackCode("caravan", "wrong")).as("wrong password").isIn(4, 5);
        assertThat(mqttConnackCode("caravan", "caravan")).isZero();
    }

    private static void started(Connection connection) throws Exception {
        try (connection) {
            connection.start();
        }
    }

    /** The first frame the broker answers a STOMP 1.2 CONNECT with. */
    private static String stompConnect(String login, String passcode) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", NATIVE_PORT)) {
            socket.setSoTimeout(10_000);
            String frame = "CONNECT\naccept-version:1.2\nhost:localhost\n"
                    + (login != null ? "login:" + login + "\npasscode:" + passcode + "\n" : "") + "\n\0";
            socket.getOutputStream().write(frame.getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            for (int b; (b = in.read()) > 0; ) {
                answer.write(b);
            }
            return answer.toString(StandardCharsets.UTF_8).stripLeading();
        }
    }

    /** The CONNACK return code an MQTT 3.1.1 CONNECT gets (0 accepted). */
    private static int mqttConnackCode(String user, String password) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", NATIVE_PORT)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(MqttPackets.connect("stranger-" + System.nanoTime(), user, password));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(in.readUnsignedByte()).as("CONNACK").isEqualTo(0x20);
            return MqttPackets.readBody(in)[1];
        }
    }
}
