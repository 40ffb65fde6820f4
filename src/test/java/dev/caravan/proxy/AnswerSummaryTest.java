package dev.caravan.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.UsageReport;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading id, usage and empty choices from an engine's answer without a tree of the whole body. */
class AnswerSummaryTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private AnswerSummary read(String json) {
        byte[] b = ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        return AnswerSummary.read(mapper, b, 6, b.length - 6);
    }

    @Test
    void aWholeResponseGivesItsIdAndUsageWhateverTheFieldOrder() {
        AnswerSummary a = read("{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"{\\\"id\\\":\\\"x\\\"}\"}}],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":16}},\"id\":\"chatcmpl-7\"}");
        assertThat(a.id()).isEqualTo("chatcmpl-7");
        assertThat(a.usage()).isEqualTo(new UsageReport(20, 16, 4));
        assertThat(a.noChoices()).isFalse();
    }

    @Test
    void theUsageOnlyStreamChunkHasNoChoices() {
        AnswerSummary a = read("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}");
        assertThat(a.noChoices()).isTrue();
        assertThat(a.usage()).isEqualTo(new UsageReport(5, -1, 1));
    }

    @Test
    void noUsageOrNotJsonGivesNone() {
        assertThat(read("{\"id\":\"c\",\"usage\":null}").usage()).isSameAs(UsageReport.NONE);
        assertThat(read("[DONE]")).isEqualTo(AnswerSummary.NONE);
        assertThat(read("{\"id\":\"c\",\"usage\":{\"prompt_tok")).isEqualTo(AnswerSummary.NONE);
    }
}
