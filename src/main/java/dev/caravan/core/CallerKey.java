package dev.caravan.core;

import org.apache.camel.Exchange;

/**
 * Which API key a request came with, as the key's id (the first 16 hex digits of its SHA-256
 * digest, see {@code http.ApiKeys}): enough to tell keys apart, useless to call the API with, so it
 * may be kept and compared where the key itself must never go. Set by the HTTP layer on requests
 * its key check accepted; a request without one came to a gateway without keys (anonymous mode).
 *
 * @param admin whether it is one of {@code caravan.security.admin-keys} (sees every key's workflows)
 */
public record CallerKey(String id, boolean admin) {

    /** Exchange property holding the request's {@code CallerKey}; read only through {@link #of}. */
    private static final String PROPERTY = "caravanCallerKey";

    public CallerKey {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("key id is required");
    }

    public CallerKey(String id) {
        this(id, false);
    }

    /** The request's key, or null when the gateway runs without keys. */
    public static CallerKey of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, CallerKey.class);
    }

    /** Names this key as the exchange's caller (the HTTP layer, once per request). */
    public void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }
}
