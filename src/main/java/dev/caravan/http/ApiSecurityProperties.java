package dev.caravan.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.security.*}: who may call the API port. With keys, every {@code /v1/*},
 * {@code /tokenize} and {@code /detokenize} request needs {@code Authorization: Bearer <key>}; without
 * keys the API listens on loopback only, unless {@code allow-anonymous} says otherwise.
 */
@ConfigurationProperties(prefix = "caravan.security")
public class ApiSecurityProperties {

    /**
     * {@code caravan.security.api-keys}: accepted keys (a list, or comma-separated, e.g. from an
     * environment variable {@code CARAVAN_SECURITY_APIKEYS} filled from a Kubernetes Secret).
     */
    private List<String> apiKeys = new ArrayList<>();

    /**
     * {@code caravan.security.allow-anonymous}: let the API listen beyond loopback without keys
     * (anyone who reaches the port may call it). Default false: such a start is refused.
     */
    private boolean allowAnonymous = false;

    /**
     * {@code caravan.security.admin-keys}: keys that are accepted like {@code api-keys} and see every
     * key's workflows (status, messages, deletion, listings), e.g. for an operator's tools. They never
     * become a workflow's owner.
     */
    private List<String> adminKeys = new ArrayList<>();

    private final RateLimit rateLimit = new RateLimit();

    /** {@code caravan.security.rate-limit.*}: requests each API key may start per period (with keys only). */
    public static class RateLimit {
        /** {@code requests}: per key and period; 0 (default) = no limit. */
        private int requests = 0;
        /** {@code period}: the window the requests count in. Default 1s. */
        private Duration period = Duration.ofSeconds(1);

        public int getRequests() { return requests; }
        public void setRequests(int requests) { this.requests = Math.max(0, requests); }
        public Duration getPeriod() { return period; }
        public void setPeriod(Duration period) { this.period = period; }
    }

    public RateLimit getRateLimit() { return rateLimit; }
    public List<String> getApiKeys() { return apiKeys; }
    public void setApiKeys(List<String> apiKeys) { this.apiKeys = apiKeys == null ? new ArrayList<>() : apiKeys; }
    public List<String> getAdminKeys() { return adminKeys; }
    public void setAdminKeys(List<String> adminKeys) { this.adminKeys = adminKeys == null ? new ArrayList<>() : adminKeys; }
    public boolean isAllowAnonymous() { return allowAnonymous; }
    public void setAllowAnonymous(boolean allowAnonymous) { this.allowAnonymous = allowAnonymous; }
}
