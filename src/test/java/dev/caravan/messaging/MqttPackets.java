package dev.caravan.messaging;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** MQTT 3.1.1 framing, written against the spec (no client library), for the native-protocol tests. */
final class MqttPackets {

    private MqttPackets() { }

    /** A CONNECT packet, clean session, keep-alive 60 s; user and password only when user is not null. */
    static byte[] connect(String clientId, String user, String password) throws IOException {
        byte flags = (byte) (0x02 | (user != null ? 0x80 : 0) | (password != null ? 0x40 : 0));
        return packet(0x10, concat(str("MQTT"), new byte[] {4, flags, 0, 60}, str(clientId),
                user != null ? str(user) : new byte[0], password != null ? str(password) : new byte[0]));
    }

    static byte[] packet(int type, byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(type);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            b.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        b.write(body);
        return b.toByteArray();
    }

    static byte[] readBody(DataInputStream in) throws IOException {
        int length = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.readUnsignedByte();
            length += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    static byte[] str(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) (bytes.length >> 8), (byte) bytes.length}, bytes);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
