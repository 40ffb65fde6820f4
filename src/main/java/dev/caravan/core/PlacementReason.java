package dev.caravan.core;

/** Why a request went where it went: recorded for metrics, logs and the workflow status API. */
public enum PlacementReason {
    ROUND_ROBIN, LEAST_LOADED, SESSION, HASH, AFFINITY, PREFIX, SPILL, SPREAD, LINEAGE, FAILOVER, QUEUE;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
