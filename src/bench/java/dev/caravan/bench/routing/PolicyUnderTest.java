package dev.caravan.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A placement configuration compared in the benchmark: the gateway policy for plain requests and the
 * one for requests with workflow metadata. Peers use their one algorithm for both (they ignore
 * {@code workflow_metadata}, as the real routers would).
 */
record PolicyUnderTest(String label, String plainPolicy, String workflowPolicy, Map<String, String> properties) {

    static final String CARAVAN = "caravan";
    static final String ROUND_ROBIN = "round-robin";

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
        PolicyUnderTest known = all().stream().filter(p -> p.label().equals(base)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy " + base + "; known: "
                        + all().stream().map(PolicyUnderTest::label).toList()));
        if (open < 0) return known;
        if (!label.endsWith("]")) throw new IllegalArgumentException("expected policy[key=value;...], got " + label);
        Map<String, String> props = new LinkedHashMap<>();
        for (String kv : label.substring(open + 1, label.length() - 1).split(";")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value in " + label + ", got " + kv);
            props.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return new PolicyUnderTest(label, known.plainPolicy(), known.workflowPolicy(), Map.copyOf(props));
    }
}
