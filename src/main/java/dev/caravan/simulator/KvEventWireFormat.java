package dev.caravan.simulator;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the simulator encodes a KV event batch. vLLM changed it: its msgspec structs were
 * {@code array_like=True} (a batch {@code [ts, events, dp_rank]}, an event
 * {@code ["BlockStored", block_hashes, ...]}, tag first), and current vLLM
 * ({@code vllm/distributed/kv_events.py} at commit 0181ea3) drops {@code array_like}: a batch is the map
 * {@code {ts, events, data_parallel_rank}} and an event the map {@code {"type": "BlockStored", ...}}.
 * The gateway reads both; the simulator writes either, so both are tested.
 */
public enum KvEventWireFormat {
    /** Current vLLM: tagged maps. */
    MAP,
    /** vLLM up to the array_like structs: tagged arrays, fields in declaration order. */
    ARRAY;

    public static KvEventWireFormat parse(String value) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.cliName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown kv-events-wire-format " + value + "; known: " + cliNames()));
    }

    public static List<String> cliNames() {
        return Arrays.stream(values()).map(KvEventWireFormat::cliName).toList();
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
