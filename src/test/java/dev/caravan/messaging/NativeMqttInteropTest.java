package dev.caravan.messaging;

import static dev.caravan.messaging.MqttPackets.concat;
import static dev.caravan.messaging.MqttPackets.packet;
import static dev.caravan.messaging.MqttPackets.readBody;
import static dev.caravan.messaging.MqttPackets.str;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A device on MQTT 3.1.1 (a minimal client written against the spec, no library) reads the same
 * agent queue: topic caravan/workflow/<wf>/agent/<agent> maps to the agent's ANYCAST queue once
 * that queue exists, and what the device publishes there is read over REST.
 */
class NativeMqttInteropTest extends MessagingTestSupport {

    @Test
    void mqttDeviceReceivesFromAndPublishesToAgentQueues() throws Exception {
        String wf = newWorkflow();
        poll(wf, "device", "?timeout=0"); // the device's queue exists (the device joined the workflow)
        try (Socket socket = new Socket("127.0.0.1", NATIVE_PORT)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());

            out.write(MqttPackets.connect("device-" + wf, "caravan", "caravan"));
            assertThat(in.readUnsignedByte()).isEqualTo(0x20);
            byte[] connack = readBody(in);
            assertThat(connack[1]).as("CONNACK return code").isEqualTo((byte) 0);

            out.write(packet(0x82, concat(new byte[] {0, 1}, str("caravan/workflow/" + wf + "/agent/device"), new byte[] {1})));
            assertThat(in.readUnsignedByte()).isEqualTo(0x90);
            byte[] suback = readBody(in);
            assertThat(suback[2]).as("granted QoS").isEqualTo((byte) 1);

            sendMessage(wf, "{\"source_agent\":\"planner\",\"target_agent\":\"device\",\"payload\":{\"led\":\"on\"}}");
            int header = in.readUnsignedByte();
            assertThat(header & 0xF0).isEqualTo(0x30);
            byte[] publish = readBody(in);
            int topicLength = ((publish[0] & 0xff) << 8) | (publish[1] & 0xff);
            String topic = new String(publish, 2, topicLength, StandardCharsets.UTF_8);
            int offset = 2 + topicLength + ((header & 0x06) != 0 ? 2 : 0);
            String payload = new String(publish, offset, publish.length - offset, StandardCharsets.UTF_8);
            assertThat(topic).isEqualTo("caravan/workflow/" + wf + "/agent/device");
            assertThat(mapper.readTree(payload).get("led").asText()).isEqualTo("on");
            if ((header & 0x06) != 0) {
                out.write(new byte[] {0x40, 2, publish[2 + topicLength], publish[3 + topicLength]});
            }

            // Device -> agent over MQTT, read over REST.
            out.write(packet(0x30, concat(str("caravan/workflow/" + wf + "/agent/planner"),
                    "{\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8))));
            JsonNode inbox = poll(wf, "planner", "?timeout=5");
            assertThat(inbox.get("count").asInt()).isEqualTo(1);
            JsonNode fromDevice = inbox.get("messages").get(0);
            assertThat(fromDevice.get("payload").get("temperature").asDouble()).isEqualTo(21.5);
            // MQTT carries no message id or timestamp: the broker's id and its arrival time stand in
            assertThat(fromDevice.get("id").isNull()).isFalse();
            assertThat(fromDevice.get("id").asText()).startsWith("ID:");
            assertThat(fromDevice.get("timestamp").asDouble() * 1000)
                    .isBetween((double) System.currentTimeMillis() - 60_000, (double) System.currentTimeMillis() + 1_000);
            out.write(new byte[] {(byte) 0xE0, 0});
        }
    }
}
