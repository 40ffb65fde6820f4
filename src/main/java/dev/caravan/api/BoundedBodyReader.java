package dev.caravan.api;

import dev.caravan.core.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Reads a request body as text without ever holding more than the configured limit, so a huge
 * body is refused with 413 instead of filling the heap.
 */
public final class BoundedBodyReader {

    private final long maxBytes;

    public BoundedBodyReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public long maxBytes() { return maxBytes; }

    public String read(Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        Long declared = in.getHeader("Content-Length", Long.class);
        if (declared != null && declared > maxBytes) {
            throw tooLarge();
        }
        Object body = in.getBody();
        if (body == null) {
            return "";
        }
        if (body instanceof String s) {
            check(s.length());
            return s;
        }
        if (body instanceof byte[] b) {
            check(b.length);
            return new String(b, StandardCharsets.UTF_8);
        }
        if (body instanceof Reader r) {
            return readAll(r);
        }
        if (body instanceof InputStream is) {
            byte[] bytes = is.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            check(bytes.length);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        String s = in.getBody(String.class);
        check(s == null ? 0 : s.length());
        return s == null ? "" : s;
    }

    /** The body as bytes, for parsers that keep the client's exact bytes. */
    public byte[] readBytes(Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        Long declared = in.getHeader("Content-Length", Long.class);
        if (declared != null && declared > maxBytes) {
            throw tooLarge();
        }
        Object body = in.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof byte[] b) {
            check(b.length);
            return b;
        }
        if (body instanceof InputStream is) {
            byte[] bytes = is.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            check(bytes.length);
            return bytes;
        }
        byte[] bytes = read(exchange).getBytes(StandardCharsets.UTF_8);
        check(bytes.length);
        return bytes;
    }

    private String readAll(Reader r) throws IOException {
        StringBuilder sb = new StringBuilder(4096);
        char[] buf = new char[8192];
        int n;
        while ((n = r.read(buf)) > 0) {
            sb.append(buf, 0, n);
            // chars bound bytes from below, so this never refuses a body within the limit
            check(sb.length());
        }
        return sb.toString();
    }

    private void check(long size) {
        if (size > maxBytes) {
            throw tooLarge();
        }
    }

    private GatewayException tooLarge() {
        return GatewayException.tooLarge("Request body exceeds the limit of " + maxBytes + " bytes");
    }
}
