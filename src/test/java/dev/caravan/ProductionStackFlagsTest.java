package dev.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/** production-stack's router flags as Caravan's properties (issue 20), from the command line only. */
class ProductionStackFlagsTest {

    private static StandardEnvironment start(String... args) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SimpleCommandLinePropertySource(ProductionStackFlags.normalise(args)));
        new ProductionStackFlags().postProcessEnvironment(env, null);
        return env;
    }

    @Test
    void thePrsQuickStartCommandLineBecomesCaravansProperties() {
        // the PR's docs, as written: "--flag value"
        StandardEnvironment env = start("--routing-logic", "workflow_aware", "--service-discovery", "static",
                "--static-backends", "http://vllm-1:8000,http://vllm-2:8000", "--static-models",
                "meta-llama/Llama-3.1-8B-Instruct", "--workflow-ttl", "3600", "--max-workflows", "1000",
                "--max-message-queue-size", "1000", "--batching-preference", "0.8", "--max-message-size", "1048576",
                "--port", "8001");
        assertThat(env.getProperty("caravan.workflow-support.routing.strategy")).isEqualTo("workflow_aware");
        assertThat(env.getProperty("caravan.workflow-support.enabled")).isEqualTo("true");
        assertThat(env.getProperty("caravan.workflow-support.ttl")).isEqualTo("3600s");
        assertThat(env.getProperty("caravan.workflow-support.max-workflows")).isEqualTo("1000");
        assertThat(env.getProperty("caravan.workflow-support.batching-preference")).isEqualTo("0.8");
        assertThat(env.getProperty("caravan.messaging.max-queue-messages")).isEqualTo("1000");
        assertThat(env.getProperty("caravan.messaging.max-payload-bytes")).isEqualTo("1048576");
        assertThat(env.getProperty("caravan.engines[0].url")).isEqualTo("http://vllm-1:8000");
        assertThat(env.getProperty("caravan.engines[1].url")).isEqualTo("http://vllm-2:8000");
        assertThat(env.getProperty("caravan.engines[1].models[0]")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(env.getProperty("server.port")).isEqualTo("8001");
    }

    @Test
    void otherRoutingLogicsSetThePlainPolicyToo() {
        assertThat(start("--routing-logic=kvaware").getProperty("caravan.routing.plain-policy")).isEqualTo("prefix-aware");
        assertThat(start("--routing-logic=roundrobin").getProperty("caravan.workflow-support.routing.strategy"))
                .isEqualTo("round-robin");
        assertThat(start("--routing-logic=session").getProperty("caravan.routing.plain-policy")).isEqualTo("session");
    }

    @Test
    void anExplicitCaravanPropertyWinsOverAFlag() {
        StandardEnvironment env = start("--workflow-ttl=60", "--caravan.workflow-support.ttl=2h");
        assertThat(env.getProperty("caravan.workflow-support.ttl")).isEqualTo("2h");
    }

    @Test
    void environmentVariablesNamedLikeFlagsAreNotFlags() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("systemEnvironment-like",
                Map.of("max-workflows", "5")));
        new ProductionStackFlags().postProcessEnvironment(env, null);
        assertThat(env.getProperty("caravan.workflow-support.max-workflows")).isNull();
    }

    @Test
    void whatCaravanCannotHonourStopsTheStartNamingTheReplacement() {
        assertThatThrownBy(() -> start("--routing-logic=disaggregated_prefill"))
                .hasMessageContaining("caravan.routing.plain-policy");
        assertThatThrownBy(() -> start("--service-discovery=k8s")).hasMessageContaining("caravan.engines[i].url");
        assertThatThrownBy(() -> start("--workflow-ttl=soon")).hasMessageContaining("caravan.workflow-support.ttl");
        assertThatThrownBy(() -> start("--batching-preference=2")).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> start("--max-workflows")).hasMessageContaining("--max-workflows needs a value");
        assertThatThrownBy(() -> start("--static-backends=http://a:1,http://b:2", "--static-models=x,y,z"))
                .hasMessageContaining("one model for all or one per backend");
    }

    @Test
    void normaliseJoinsOnlyKnownFlagsWithTheirValue() {
        assertThat(ProductionStackFlags.normalise(new String[] {"--workflow-ttl", "3600", "--debug", "x", "--port=1"}))
                .containsExactly("--workflow-ttl=3600", "--debug", "x", "--port=1");
        assertThat(ProductionStackFlags.normalise(new String[] {"--max-workflows", "--port", "9"}))
                .containsExactly("--max-workflows", "--port=9");
    }
}
