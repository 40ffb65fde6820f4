package dev.caravan.placement.prefix;

import static dev.caravan.fixtures.Engines.engine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.bench.routing.SyntheticText;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.fixtures.SimulatorChat;
import dev.caravan.placement.PlacementConfiguration;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.RoutingProperties;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Characters per token are learned per engine from usage.prompt_tokens, with a default until then. */
class CharsPerTokenTest {

    @Test
    void defaultUntilAnswersThenLearnedPerEngine() {
        CharsPerToken ratio = new CharsPerToken(4.0, true);
        Engine a = engine("a");
        Engine b = engine("b");
        assertThat(ratio.of(a)).isEqualTo(4.0);

        ratio.learn(a, 6_000, 1_000);
        assertThat(ratio.of(a)).isEqualTo(6.0);
        assertThat(ratio.of(b)).as("no answer from b yet: what the engines taught so far").isEqualTo(6.0);

        ratio.learn(b, 3_000, 1_000);
        assertThat(ratio.of(b)).isEqualTo(3.0);
        assertThat(ratio.of(a)).as("another model's tokenizer does not change a's").isEqualTo(6.0);
    }

    @Test
    void answersWithoutUsageOrTextTeachNothing() {
        CharsPerToken ratio = new CharsPerToken(4.0, true);
        Engine a = engine("a");
        ratio.learn(a, 5_000, -1);   // the engine reported no usage
        ratio.learn(a, 5_000, 0);
        ratio.learn(a, 0, 300);      // passthrough requests carry no prompt text
        assertThat(ratio.of(a)).isEqualTo(4.0);

        CharsPerToken fixed = new CharsPerToken(3.5, false);
        fixed.learn(a, 6_000, 1_000);
        assertThat(fixed.of(a)).isEqualTo(3.5);
    }

    @Test
    void longPromptsWeighMoreAndRecentAnswersMost() {
        CharsPerToken ratio = new CharsPerToken(4.0, true);
        Engine a = engine("a");
        ratio.learn(a, 10_000, 2_000);   // 5.0 over 2,000 tokens
        ratio.learn(a, 20, 10);          // 2.0 over 10 tokens: template overhead of a tiny prompt
        assertThat(ratio.of(a)).isCloseTo(5.0, within(0.03));

        for (int i = 0; i < 1_000; i++) ratio.learn(a, 3_000, 1_000);   // the traffic changed
        assertThat(ratio.of(a)).isCloseTo(3.0, within(0.001));
    }

    @Test
    void clampedAndValidated() {
        CharsPerToken ratio = new CharsPerToken(4.0, true);
        Engine a = engine("a");
        ratio.learn(a, 1, 1_000);
        assertThat(ratio.of(a)).isEqualTo(CharsPerToken.MIN);
        assertThatThrownBy(() -> new CharsPerToken(0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CharsPerToken(Double.NaN, true)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Against the simulator: its tokenizer makes a word of up to 8 letters with its leading space one
     * token, so the benchmark's filler text (2..8 letters a word) has about 5.8 characters per token,
     * well above the 4.0 default meant for real BPE tokenizers. What the gateway learns from the
     * simulator's usage must be that text's own ratio (the chat template's few tokens aside).
     */
    @Test
    void learnsTheSimulatorsRatioFromItsUsage() throws Exception {
        RoutingProperties routing = new RoutingProperties();
        routing.getPrefix().setCapacityAware(true); // the ratio is learned for the capacity-aware index only
        PlacementFactory factory = new PlacementFactory(routing, new WorkflowSupportProperties(),
                new EngineRegistry(), Clock.systemUTC());
        RequestOutcomeListener listener = new PlacementConfiguration().charsPerTokenFromUsage(factory);
        Engine engine = engine("sim");
        long textChars = 0;
        try (SimulatedEngine sim = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++) {
                String content = SyntheticText.of("chars-per-token-" + i, 2_000);
                textChars += content.length();
                JsonNode usage = SimulatorChat.usage(http, sim, content);
                // the prompt text as the gateway renders a chat request (CompletionRequestParser)
                PlacementRequest placed = new PlacementRequest("r" + i, "m", "user: " + content + "\n", null, null, Set.of());
                listener.onOutcome(new RequestOutcome(placed, new PlacementDecision(engine, PlacementReason.PREFIX),
                        engine, 200, null, usage.path("prompt_tokens").asLong(-1), 0, 1, -1, 1, false, null));
            }
        }
        double learned = factory.charsPerToken().of(engine);
        double textRatio = textChars / (5 * 2_000.0);
        assertThat(learned).isCloseTo(textRatio, within(textRatio * 0.01)).isBetween(5.0, 6.5);
        assertThat(factory.prefixIndex().charsPerToken()).isSameAs(factory.charsPerToken());
    }
}
