package dev.caravan.simulator;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Shape of an engine's latency, {@code --latency-profile}. See {@link LatencyModel} for the
 * formulas and {@code docs/simulator.md} ("Latency profiles") for where their numbers come from.
 */
public enum LatencyProfile {
    /** Prefill linear in uncached tokens, fixed ITL, both stretched linearly with the batch up to the load factor. */
    LINEAR,
    /**
     * vLLM V1's token-budgeted steps ({@code --max-num-batched-tokens}): decodes first, prefill
     * chunks in the rest of the budget, so a long prefill spans steps and slows every decode beside it.
     */
    CHUNKED_PREFILL,
    /** Step time affine in the batch size (flat-looking at small batches, doubling at the knee), as benchmarks of an 8B model on an H100 show. */
    BATCH_SCALED;

    /** @throws IllegalArgumentException naming the known profiles, so a typo in a script fails loudly */
    public static LatencyProfile parse(String value) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.cliName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown latency-profile " + value + "; known: " + cliNames()));
    }

    public static List<String> cliNames() {
        return Arrays.stream(values()).map(LatencyProfile::cliName).toList();
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
