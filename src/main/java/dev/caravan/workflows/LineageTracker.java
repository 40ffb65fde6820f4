package dev.caravan.workflows;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Collection;

/**
 * Which engine served which request, so a child request ({@code parent_request_id}) can follow its
 * parent to the engine that already holds the parent's prompt and answer in its KV cache — before
 * any prefix of the child is known to the {@link PrefixIndex}.
 *
 * <p>Bounded by size and by time since the request was routed (Caffeine); the values are the engine id
 * strings of the configured fleet, so an entry costs little more than its request id.
 */
public final class LineageTracker {

    private final Cache<String, String> engineByRequest;

    public LineageTracker(int maxEntries, Duration ttl) {
        this(maxEntries, ttl, Ticker.systemTicker());
    }

    /** With an explicit ticker, for tests. */
    public LineageTracker(int maxEntries, Duration ttl, Ticker ticker) {
        this.engineByRequest = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run) // maintenance on the caller: no pool threads for a tiny map
                .build();
    }

    /** Remembers that {@code requestId} was served by {@code engineId}. */
    public void record(String requestId, String engineId) {
        if (requestId != null && engineId != null) engineByRequest.put(requestId, engineId);
    }

    /** The engine that served {@code requestId}, or null when unknown or expired. */
    public String engineOf(String requestId) {
        return requestId == null ? null : engineByRequest.getIfPresent(requestId);
    }

    /** Forgets requests of an ended workflow. */
    public void forget(Collection<String> requestIds) {
        engineByRequest.invalidateAll(requestIds);
    }

    public long size() {
        engineByRequest.cleanUp();
        return engineByRequest.estimatedSize();
    }
}
