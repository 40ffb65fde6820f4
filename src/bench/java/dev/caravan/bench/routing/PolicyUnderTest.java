package dev.caravan.bench.routing;

import java.util.List;

/**
 * A placement configuration compared in the benchmark: the gateway policy for plain requests and the
 * one for requests with workflow metadata. Peers use their one algorithm for both (they ignore
 * {@code workflow_metadata}, as the real routers would).
 */
record PolicyUnderTest(String label, String plainPolicy, String workflowPolicy) {

    static final String CARAVAN = "caravan";
    static final String ROUND_ROBIN = "round-robin";

    static List<PolicyUnderTest> all() {
        return List.of(
                same(ROUND_ROBIN), same("least-loaded"), same("session"),
                same("ps-prefixaware"), same("sglang-cache-aware"), same("llm-d"),
                new PolicyUnderTest(CARAVAN, "prefix-aware", "workflow-aware"));
    }

    static PolicyUnderTest same(String name) { return new PolicyUnderTest(name, name, name); }

    static PolicyUnderTest byLabel(String label) {
        return all().stream().filter(p -> p.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy " + label + "; known: "
                        + all().stream().map(PolicyUnderTest::label).toList()));
    }
}
