package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The official openai-java client against the gateway and simulated engines: what a user does
 * first, and what must simply work.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=3",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms"})
class OpenAiClientEndToEndTest extends GatewayTestSupport {

    private OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port + "/v1").apiKey("unused")
                .maxRetries(0).build();
    }

    @Test
    void chatCompletionNotStreamed() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Say hello").maxCompletionTokens(8).build());
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).isPresent();
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(8);
    }

    @Test
    void completionNotStreamed() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model(MODEL).prompt("Once upon a time").maxTokens(5).build());
        assertThat(c.choices().get(0).text()).isNotEmpty();
        assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
    }

    @Test
    void completionStreamed() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder()
                .model(MODEL).prompt("Once upon a time").maxTokens(6).build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> text.append(ch.text())));
        }
        assertThat(text.toString()).isNotBlank();
    }

    @Test
    void chatStreamedArrivesChunkByChunkBeforeTheEngineFinishes() {
        chatCompletionNotStreamed(); // warm the client up, so only the stream is timed
        AtomicLong first = new AtomicLong();
        List<String> pieces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Tell a story")
                        .maxCompletionTokens(200).build())) {
            s.stream().forEach(chunk -> {
                first.compareAndSet(0, System.nanoTime());
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(pieces::add));
            });
        }
        long end = System.nanoTime();
        assertThat(pieces.size()).isGreaterThanOrEqualTo(200);
        // after the client held the first chunk the engine still had 199 inter-token latencies
        // (12 ms x 0.2 each, ~480 ms) to go; a buffered response would end right after its first
        // chunk arrived, a streamed one a large part of that time later
        assertThat(end - first.get()).isGreaterThan(199 * 12_000_000L / 5 / 4);
    }

    @Test
    void sameLongPrefixOnTheSameEngineIsCachedAndFasterToFirstToken() {
        String context = longText("ctx", 1500);
        Map<String, Object> wf = Map.of("workflow_id", "cache-wf", "agent_id", "analyst");
        long cold = timeToFirstToken(context + "Question one?", wf);
        ChatCompletion warm = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage(context + "Question two?").maxCompletionTokens(4)
                .putAdditionalBodyProperty("workflow_metadata", JsonValue.from(wf)).build());
        long warmTtft = timeToFirstToken(context + "Question three?", wf);

        long cached = warm.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElse(0L);
        assertThat(cached).isGreaterThan(1000);
        assertThat(warmTtft).isLessThan(cold);
    }

    private long timeToFirstToken(String prompt, Map<String, Object> wf) {
        long start = System.nanoTime();
        AtomicLong first = new AtomicLong();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(prompt).maxCompletionTokens(2)
                        .putAdditionalBodyProperty("workflow_metadata", JsonValue.from(wf)).build())) {
            s.stream().forEach(chunk -> first.compareAndSet(0, System.nanoTime()));
        }
        return first.get() - start;
    }
}
