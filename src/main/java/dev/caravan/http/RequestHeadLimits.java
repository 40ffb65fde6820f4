package dev.caravan.http;

import org.springframework.util.unit.DataSize;

/**
 * How much of a request's head the API port reads before it refuses the request: the request line
 * ({@code caravan.limits.max-request-line-length}, 414 beyond it) and all header lines together
 * (Spring Boot's {@code server.max-http-request-header-size}, 431 beyond it). Both bound the memory one
 * connection may take before any route, key check or limit runs.
 */
record RequestHeadLimits(int maxRequestLineBytes, int maxHeaderBytes) {

    static final String REQUEST_LINE_PROPERTY = "caravan.limits.max-request-line-length";
    static final String HEADER_PROPERTY = "server.max-http-request-header-size";

    /** The limits from the two properties, each checked to be 1 byte to 2GB. */
    static RequestHeadLimits of(DataSize requestLine, DataSize headers) {
        return new RequestHeadLimits(bytes(requestLine, REQUEST_LINE_PROPERTY), bytes(headers, HEADER_PROPERTY));
    }

    private static int bytes(DataSize size, String property) {
        long bytes = size.toBytes();
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(property + " must be between 1 byte and 2GB, got " + size);
        }
        return (int) bytes;
    }
}
