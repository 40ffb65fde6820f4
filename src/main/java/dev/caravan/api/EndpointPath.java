package dev.caravan.api;

import org.apache.camel.Exchange;

/**
 * The engine path an API route forwards to (e.g. {@code /v1/chat/completions}), set by the route
 * itself ({@code setProperty: caravanEndpoint} in {@code routes/}) so one parse step serves several
 * endpoints.
 */
public final class EndpointPath {

    /** The exchange property the routes set; read only through {@link #of}. */
    private static final String PROPERTY = "caravanEndpoint";

    private EndpointPath() { }

    /** @throws IllegalStateException when the route did not set it */
    public static String of(Exchange exchange) {
        String path = exchange.getProperty(PROPERTY, String.class);
        if (path == null) {
            throw new IllegalStateException("Route " + exchange.getFromRouteId() + " sets no " + PROPERTY);
        }
        return path;
    }
}
