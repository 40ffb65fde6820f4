package dev.caravan.messaging;

/**
 * Where and as whom the gateway connects to the broker: the embedded broker's in-VM acceptor with
 * the per-start gateway user, or the external broker of {@code spring.artemis.broker-url} with
 * {@code spring.artemis.user}/{@code password}. {@code connectEagerly}: open connections at start
 * (embedded: the broker is in the same process) or on first use (external: the gateway starts and
 * reports not-ready while the broker is unreachable).
 */
public record BrokerEndpoint(String url, String user, String password, boolean connectEagerly) {

    /** The URL with extra {@code key=value} connection parameters appended. */
    String url(String parameters) {
        return url + (url.contains("?") ? "&" : "?") + parameters;
    }
}
