package dev.caravan.api;

import dev.caravan.core.CallerKey;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.GatewayException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * {@code caravan.limits.max-streams-per-key}: how many streamed answers (completions with
 * {@code "stream": true}, agent message streams) one API key may hold open at once; one more is
 * answered 429 {@code concurrent_streams_exceeded} before it is admitted. A stream holds an engine
 * slot or a broker consumer for as long as the client keeps reading, so a rate limit alone would let
 * one key pile up open streams at a trickle.
 *
 * <p>A stream counts from this step until its response has ended or its client went away: the
 * release runs when the exchange's unit of work is done, which the HTTP layer does only after the
 * last byte was written (or the write failed), on every path, errors included. Per key id: keys are
 * configured, so the map holds at most one counter per key. Without keys nothing is counted.
 */
public final class ConcurrentStreamsPerKey {

    private final int max;
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    /** @param max streams per key at once; 0 turns the cap off */
    public ConcurrentStreamsPerKey(int max) {
        if (max < 0) throw new IllegalArgumentException("caravan.limits.max-streams-per-key must be >= 0, got " + max);
        this.max = max;
    }

    /** Route step after the completion is parsed: a streamed completion takes one of its key's streams. */
    public void completion(Exchange exchange) {
        if (max > 0 && CompletionCall.of(exchange).stream()) open(exchange);
    }

    /** Route step before an agent message stream opens. */
    public void messages(Exchange exchange) {
        if (max > 0) open(exchange);
    }

    /** Streams the key holds open now (for tests and the status API). */
    public int openFor(String keyId) {
        AtomicInteger n = open.get(keyId);
        return n == null ? 0 : n.get();
    }

    private void open(Exchange exchange) {
        CallerKey key = CallerKey.of(exchange);
        if (key == null) return;
        AtomicInteger streams = open.computeIfAbsent(key.id(), id -> new AtomicInteger());
        if (streams.incrementAndGet() > max) {
            streams.decrementAndGet();
            throw new GatewayException(429, "requests", "concurrent_streams_exceeded", "stream",
                    "This API key already holds " + max + " open streams (caravan.limits.max-streams-per-key); "
                            + "close one or retry without \"stream\"", 1);
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                streams.decrementAndGet();
            }
        });
    }
}
