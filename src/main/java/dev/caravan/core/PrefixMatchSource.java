package dev.caravan.core;

/**
 * What a placement decision knew of the chosen engine's cache: the blocks the engine itself reported
 * (KV events, {@code precise}), the gateway's guess from what it sent there ({@code approximate}), or
 * nothing ({@code none}: the policy does not look at prefixes).
 */
public enum PrefixMatchSource {
    NONE, APPROXIMATE, PRECISE;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
