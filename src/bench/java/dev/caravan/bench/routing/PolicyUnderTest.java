package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A placement configuration compared in the benchmark: the gateway policy for plain requests and the
 * one for requests with workflow metadata. Peers use their one algorithm for both (they ignore
 * {@code workflow_metadata}, as the real routers would). {@code direct}: no gateway in the path, the
 * client itself round-robins the calls over the engines' own URLs ({@link #ROUND_ROBIN_DIRECT}).
 */
record PolicyUnderTest(String label, String plainPolicy, String workflowPolicy, Map<String, String> properties,
                       boolean direct) {

    static final String CARAVAN = "caravan";
    static final String ROUND_ROBIN = "round-robin";
    /** Round robin by the client straight to the engines, bodies without {@code workflow_metadata}. */
    static final String ROUND_ROBIN_DIRECT = "round-robin-direct";

    PolicyUnderTest(String label, String plainPolicy, String workflowPolicy, Map<String, String> properties) {
        this(label, plainPolicy, workflowPolicy, properties, false);
    }

    /** Policies {@code --policies} knows: {@link #all()} and the direct reference, which "all" leaves out. */
    static List<PolicyUnderTest> known() {
        List<PolicyUnderTest> k = new java.util.ArrayList<>(all());
        // The gateway still starts (it owns the embedded engines) but no call goes through it.
        k.add(new PolicyUnderTest(ROUND_ROBIN_DIRECT, ROUND_ROBIN, ROUND_ROBIN, Map.of(), true));
        return k;
    }

    static List<PolicyUnderTest> all() {
        return List.of(
                same(ROUND_ROBIN), same("least-loaded"), same("session"),
                same("ps-prefixaware"), same("sglang-cache-aware"), same("llm-d"),
                new PolicyUnderTest(CARAVAN, "prefix-aware", "workflow-aware", Map.of()));
    }

    static PolicyUnderTest same(String name) { return new PolicyUnderTest(name, name, name, Map.of()); }

    /**
     * A known label, optionally with gateway properties for this run only, so that two settings of one
     * policy are compared side by side in one run: {@code caravan[caravan.routing.epsilon=0.5;...]}.
     */
    static PolicyUnderTest byLabel(String label) {
        int open = label.indexOf('[');
        String base = open < 0 ? label : label.substring(0, open);
        PolicyUnderTest known = known().stream().filter(p -> p.label().equals(base)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy " + base + "; known: "
                        + known().stream().map(PolicyUnderTest::label).toList()));
        if (open < 0) return known;
        if (!label.endsWith("]")) throw new IllegalArgumentException("expected policy[key=value;...], got " + label);
        Map<String, String> props = new LinkedHashMap<>();
        for (String kv : label.substring(open + 1, label.length() - 1).split(";")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value in " + label + ", got " + kv);
            props.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return new PolicyUnderTest(label, known.plainPolicy(), known.workflowPolicy(), Map.copyOf(props), known.direct());
    }
}
