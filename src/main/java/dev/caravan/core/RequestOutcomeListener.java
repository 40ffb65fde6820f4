package dev.caravan.proxy;

/**
 * Learns from finished requests (workflow statistics, metrics, prefix indexes). Called once per
 * request on the thread that finished it; must not block.
 */
public interface RequestOutcomeListener {
    void onOutcome(RequestOutcome outcome);
}
