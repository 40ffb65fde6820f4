package dev.caravan.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelAliasesTest {

    private static EngineProperties.ModelAlias alias(String model, String... aliases) {
        EngineProperties.ModelAlias a = new EngineProperties.ModelAlias();
        a.setModel(model);
        a.setAliases(List.of(aliases));
        return a;
    }

    @Test
    void anAliasResolvesToItsServedNameAndEverythingElseToItself() {
        ModelAliases a = new ModelAliases(List.of(alias("meta-llama/Llama-3.1-8B-Instruct", "llama", "llama-8b")));
        assertThat(a.resolve("llama")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(a.resolve("llama-8b")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(a.resolve("meta-llama/Llama-3.1-8B-Instruct")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(a.resolve("other")).isEqualTo("other");
        assertThat(a.resolve(null)).isNull();
    }

    @Test
    void ambiguousConfigurationStopsTheStart() {
        assertThatThrownBy(() -> new ModelAliases(List.of(alias("a", "x"), alias("b", "x"))))
                .hasMessageContaining("'x' names both 'a' and 'b'");
        assertThatThrownBy(() -> new ModelAliases(List.of(alias("a", "b"), alias("b", "c"))))
                .hasMessageContaining("'b' is a served model and an alias of 'a'");
        assertThatThrownBy(() -> new ModelAliases(List.of(alias(null, "x"))))
                .hasMessageContaining("caravan.model-aliases[0].model is required");
    }
}
