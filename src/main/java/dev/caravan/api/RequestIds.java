package dev.caravan.api;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: the client's own when it sent a sane one, otherwise a fresh random one. */
public class RequestIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public String fromHeaderOrNew(String clientId) {
        if (clientId != null && !clientId.isEmpty() && clientId.length() <= 200 && printable(clientId)) {
            return clientId;
        }
        return newId();
    }

    public String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long a = r.nextLong();
        long b = r.nextLong();
        char[] out = new char[32];
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
