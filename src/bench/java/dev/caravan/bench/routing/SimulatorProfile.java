package dev.caravan.bench.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A shape of the simulated engines' latency, chosen with {@code --profiles=...}: every (workload,
 * policy) run is repeated per profile. A profile is engine options (on top of the common and the
 * workload's own) and gateway properties. {@link #LINEAR} is the simulator as it always was.
 *
 * <p>The options are the simulator's own ({@code --latency-profile}, and {@code --speed} per engine
 * through {@code caravan.simulator.engine-speeds}); see {@code docs/simulator.md}, "Latency profiles".
 */
enum SimulatorProfile {

    /** Prefill cost linear in uncached tokens, decode slowed by load: today's simulator. */
    LINEAR("linear", Map.of(), Map.of()),
    /** Prefill split into chunks that share steps with decoding. */
    CHUNKED_PREFILL("chunked-prefill", Map.of("latency-profile", "chunked-prefill"), Map.of()),
    /** Step time grows with the batch. */
    BATCH_SCALED("batch-scaled", Map.of("latency-profile", "batch-scaled"), Map.of()),
    /** Half the engines at full speed, half at 0.4, linear shape. */
    MIXED_GPUS("mixed-gpus", Map.of(), Map.of("caravan.simulator.engine-speeds", "1.0,0.4"));

    final String label;
    final Map<String, String> engineOptions;
    final Map<String, String> gatewayProperties;

    SimulatorProfile(String label, Map<String, String> engineOptions, Map<String, String> gatewayProperties) {
        this.label = label;
        this.engineOptions = engineOptions;
        this.gatewayProperties = gatewayProperties;
    }

    static SimulatorProfile byLabel(String label) {
        return Arrays.stream(values()).filter(p -> p.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown profile " + label + "; known: "
                        + Arrays.stream(values()).map(p -> p.label).toList()));
    }

    static List<SimulatorProfile> parse(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(SimulatorProfile::byLabel).toList();
    }

    /** The key a workload's TTFT distribution and plots go under: the workload's name, with the profile unless linear. */
    String key(String workload) { return this == LINEAR ? workload : workload + " [" + label + "]"; }
}
