package dev.caravan.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the API port may listen. Without API keys only loopback is safe: unset, it binds
 * 127.0.0.1 (the embedded demo); set to anything else it refuses to start unless
 * {@code caravan.security.allow-anonymous} says an open API is meant. With keys, unset means all
 * interfaces.
 */
final class ApiBindAddress {

    private ApiBindAddress() {}

    /** @param configured {@code server.address}, or null when unset */
    static String choose(String configured, boolean keys, boolean allowAnonymous) {
        if (configured == null || configured.isBlank()) {
            return keys || allowAnonymous ? "0.0.0.0" : "127.0.0.1";
        }
        if (!keys && !allowAnonymous && !loopback(configured)) {
            throw new IllegalStateException("server.address=" + configured + " would open the API beyond this host"
                    + " without API keys. Set caravan.security.api-keys (clients send 'Authorization: Bearer <key>'),"
                    + " or caravan.security.allow-anonymous=true if anyone who reaches the port may call it.");
        }
        return configured;
    }

    static boolean loopback(String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
