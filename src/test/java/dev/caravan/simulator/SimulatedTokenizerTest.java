package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedTokenizerTest {

    private final SimulatedTokenizer tokenizer = new SimulatedTokenizer();

    @Test
    void splitsWordsPunctuationAndWhitespaceByTheDocumentedRule() {
        int[] ids = tokenizer.tokenizeAndRemember("Hello, world!\n\nBye  now 12345 supercalifragilistic");
        // "Hello" "," " world" "!" "\n\n" "Bye" " " " now" " 123" "45" " supercal" "ifragili" "stic"
        assertThat(ids).hasSize(13);
        assertThat(tokenizer.detokenize(ids)).isEqualTo("Hello, world!\n\nBye  now 12345 supercalifragilistic");
        assertThat(tokenizer.detokenize(new int[] {ids[2]})).isEqualTo(" world");
    }

    @Test
    void specialTokensAreSingleTokens() {
        int[] ids = tokenizer.tokenize("<|begin_of_text|><|start_header_id|>user<|end_header_id|>");
        assertThat(ids).hasSize(4);
        assertThat(ids[0]).isEqualTo(tokenizer.idOf("<|begin_of_text|>"));
    }

    @Test
    void aPrefixAtAWordBoundaryTokenizesToAPrefix() {
        String shorter = "You are a helpful assistant. Answer briefly";
        String longer = shorter + " and cite your sources, please.";
        int[] a = tokenizer.tokenize(shorter);
        int[] b = tokenizer.tokenize(longer);
        assertThat(Arrays.copyOf(b, a.length)).isEqualTo(a);
        assertThat(b.length).isGreaterThan(a.length);
    }

    @Test
    void idsAreStableAcrossInstancesAndDistinctForDistinctTokens() {
        SimulatedTokenizer other = new SimulatedTokenizer();
        assertThat(other.tokenize("the quick brown fox")).isEqualTo(tokenizer.tokenize("the quick brown fox"));
        assertThat(tokenizer.tokenize(" fox")[0]).isNotEqualTo(tokenizer.tokenize(" box")[0]);
        assertThat(tokenizer.tokenize("fox")[0]).isNotEqualTo(tokenizer.tokenize(" fox")[0]);
    }
}
