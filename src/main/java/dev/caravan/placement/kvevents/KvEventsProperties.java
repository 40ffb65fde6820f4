package dev.caravan.placement.kvevents;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.kv-events.*}: precise placement from vLLM KV events. An engine takes part when it
 * has an endpoint ({@code caravan.engines[i].kv-events.endpoint}, or one derived from its URL's host
 * and {@link #getPort()}); the others are placed by the approximate prefix index as before.
 */
@ConfigurationProperties(prefix = "caravan.kv-events")
public class KvEventsProperties {

    /** Off: no stream is followed even where endpoints are configured. */
    private boolean enabled = true;
    /** PUB port on every engine's host ({@code tcp://<url host>:<port>}) for engines without an endpoint; -1: none derived. */
    private int port = -1;
    /** Replay ROUTER port on every engine's host for engines without a replay endpoint; -1: none derived. */
    private int replayPort = -1;
    /** Blocks the index holds at most (least recently stored out first); ~64 bytes each per engine holding it. */
    private int maxBlocks = 1 << 20;
    /** An engine not heard from (events or replay probe) for this long is placed approximately. */
    private Duration timeout = Duration.ofSeconds(3);
    /** How often an idle stream asks the replay endpoint whether the engine is still there. */
    private Duration probeInterval = Duration.ofSeconds(1);
    /** How long placement waits for an engine's /tokenize; later, the request is placed approximately. */
    private Duration tokenizeTimeout = Duration.ofMillis(50);
    /** How long a prompt an engine took counts as held before its BlockStored events are folded. */
    private Duration recentWindow = Duration.ofSeconds(1);
    /** Prompts whose token ids are kept (a retried or repeated prompt is not tokenised again). */
    private int tokenCacheSize = 1024;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public int getReplayPort() { return replayPort; }
    public void setReplayPort(int replayPort) { this.replayPort = replayPort; }
    public int getMaxBlocks() { return maxBlocks; }
    public void setMaxBlocks(int maxBlocks) {
        if (maxBlocks <= 0) throw new IllegalArgumentException("caravan.kv-events.max-blocks must be positive");
        this.maxBlocks = maxBlocks;
    }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public Duration getProbeInterval() { return probeInterval; }
    public void setProbeInterval(Duration probeInterval) { this.probeInterval = probeInterval; }
    public Duration getTokenizeTimeout() { return tokenizeTimeout; }
    public void setTokenizeTimeout(Duration tokenizeTimeout) { this.tokenizeTimeout = tokenizeTimeout; }
    public Duration getRecentWindow() { return recentWindow; }
    public void setRecentWindow(Duration recentWindow) { this.recentWindow = recentWindow; }
    public int getTokenCacheSize() { return tokenCacheSize; }
    public void setTokenCacheSize(int tokenCacheSize) { this.tokenCacheSize = tokenCacheSize; }
}
