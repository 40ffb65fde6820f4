package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The prefix cache as a client sees it: cached_tokens in usage, shorter TTFT, eviction, salt. */
class PrefixCachingOverHttpTest {

    private static int cachedTokens(JsonNode response) {
        return response.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
    }

    @Test
    void aRepeatedLongPrefixIsCachedAndPrefillsFaster() throws Exception {
        // ~2000 prompt tokens: prefill (30 + 2000 x 0.25) ms x 0.2 = 106 ms; cached, (30 + ~16 x 0.25) x 0.2 = 7 ms.
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.2).jitterFraction(0).build())) {
            SimHttp http = new SimHttp(engine);
            LatencyHistogram ttft = engine.stats().timeToFirstToken;
            String system = SimHttp.words("doc", 1000);
            long t0 = System.nanoTime();
            JsonNode first = SimHttp.json(http.post("/v1/completions", SimHttp.completion(system + " first question", 1)));
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            double firstTtft = ttft.sum();
            t0 = System.nanoTime();
            JsonNode second = SimHttp.json(http.post("/v1/completions", SimHttp.completion(system + " second question", 1)));
            long secondMs = (System.nanoTime() - t0) / 1_000_000;
            double secondTtft = ttft.sum() - firstTtft;

            int prompt = second.get("usage").get("prompt_tokens").asInt();
            assertThat(prompt).isGreaterThan(2000);
            assertThat(cachedTokens(first)).isZero();
            assertThat(cachedTokens(second)).isGreaterThan(1900).isLessThan(prompt);
            assertThat(cachedTokens(second) % 16).isZero();
            assertThat(firstTtft).isGreaterThanOrEqualTo(0.1);
            assertThat(secondTtft).isLessThan(firstTtft / 3);
            assertThat(firstMs).as("the client waited out the prefill").isGreaterThanOrEqualTo(100);
            assertThat(secondMs).isLessThan(firstMs);
            assertThat(engine.stats().cachedTokens()).isEqualTo(cachedTokens(second));
            assertThat(engine.stats().prefixCacheQueries()).isEqualTo(first.get("usage").get("prompt_tokens").asLong() + prompt);
        }
    }

    @Test
    void chatTurnsShareThePrefixOfEarlierTurns() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            SimHttp http = new SimHttp(engine);
            ObjectNode turn1 = SimHttp.chat(SimHttp.words("ctx", 100), 8);
            turn1.withArray("messages").insertObject(0).put("role", "system").put("content", "You are terse.");
            JsonNode r1 = SimHttp.json(http.post("/v1/chat/completions", turn1));
            ObjectNode turn2 = turn1.deepCopy();
            turn2.withArray("messages").addObject().put("role", "assistant")
                    .put("content", r1.get("choices").get(0).get("message").get("content").asText());
            turn2.withArray("messages").addObject().put("role", "user").put("content", "And then?");
            JsonNode r2 = SimHttp.json(http.post("/v1/chat/completions", turn2));
            int firstTurnTokens = r1.get("usage").get("total_tokens").asInt();
            assertThat(cachedTokens(r2)).as("the first turn's prompt and answer, in whole blocks")
                    .isEqualTo(firstTurnTokens / 16 * 16);
        }
    }

    @Test
    void aFullCacheEvictsTheLeastRecentlyUsedPrefix() throws Exception {
        // 24 blocks of 16 tokens. Each prompt is ~161 tokens = 10 full blocks, + 1 partial/output block.
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0)
                .kvCacheBlocks(24).maxModelLen(384).build())) {
            SimHttp http = new SimHttp(engine);
            String a = SimHttp.words("alpha", 80);
            String b = SimHttp.words("beta", 80);
            String c = SimHttp.words("gamma", 80);
            http.post("/v1/completions", SimHttp.completion(a, 4));
            http.post("/v1/completions", SimHttp.completion(b, 4));
            assertThat(engine.cachedPrefixBlocks(a, null)).isEqualTo(10);
            assertThat(engine.cachedPrefixBlocks(b, null)).isEqualTo(10);
            // Use a again: b becomes the least recently used.
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", SimHttp.completion(a, 4))))).isEqualTo(160);
            http.post("/v1/completions", SimHttp.completion(c, 4));
            assertThat(engine.cachedPrefixBlocks(a, null)).isEqualTo(10);
            assertThat(engine.cachedPrefixBlocks(c, null)).isEqualTo(10);
            // c needed 11 blocks: the 4 never used, then 7 of b's, tail first (as vLLM frees them).
            assertThat(engine.cachedPrefixBlocks(b, null)).as("b lost its tail, kept its head").isEqualTo(3);
            assertThat(engine.stats().evictedBlocks()).isEqualTo(7);
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", SimHttp.completion(b, 4))))).isEqualTo(48);
        }
    }

    @Test
    void blocksOfARunningRequestAreNotEvicted() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(1.0).jitterFraction(0)
                .kvCacheBlocks(24).maxModelLen(384).build())) {
            SimHttp http = new SimHttp(engine);
            String a = SimHttp.words("alpha", 80);
            String b = SimHttp.words("beta", 80);
            // a: 161 prompt + 190 output tokens = 22 blocks, for about 2.3 s unless the test lets go of it.
            ObjectNode longRunning = SimHttp.completion(a, 190);
            longRunning.put("stream", true);
            java.io.InputStream aStream = http.postStreaming("/v1/completions", longRunning).body();
            SimHttp.awaitTrue(() -> engine.stats().running() == 1, java.time.Duration.ofSeconds(5));
            // b needs 11 blocks; 2 are free and a's are pinned: b must wait, not evict a.
            var waiting = http.postAsync("/v1/completions", SimHttp.completion(b, 4));
            SimHttp.awaitTrue(() -> engine.stats().waiting() == 1, java.time.Duration.ofSeconds(5));
            assertThat(engine.stats().kvCacheUsage()).isEqualTo(22 / 24.0);
            assertThat(engine.cachedPrefixBlocks(a, null)).isEqualTo(10);
            assertThat(engine.stats().evictedBlocks()).isZero();
            aStream.close();
            assertThat(waiting.get().statusCode()).isEqualTo(200);
            assertThat(engine.cachedPrefixBlocks(a, null)).as("b fitted without evicting a's prompt").isEqualTo(10);
            SimHttp.awaitTrue(() -> engine.stats().kvCacheUsage() == 0, java.time.Duration.ofSeconds(5));
        }
    }

    @Test
    void cacheSaltKeepsRequestsFromSharingBlocks() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            SimHttp http = new SimHttp(engine);
            String prompt = SimHttp.words("shared", 100);
            http.post("/v1/completions", SimHttp.completion(prompt, 2));
            ObjectNode salted = SimHttp.completion(prompt, 2);
            salted.put("cache_salt", "workflow-42");
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", salted)))).isZero();
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", salted)))).isPositive();
            ObjectNode otherSalt = salted.deepCopy().put("cache_salt", "workflow-43");
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", otherSalt)))).isZero();
            assertThat(cachedTokens(SimHttp.json(http.post("/v1/completions", SimHttp.completion(prompt, 2))))).isPositive();
        }
    }

    @Test
    void promptTokensDetailsCanBeTurnedOff() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).reportPromptTokensDetails(false).build())) {
            JsonNode r = SimHttp.json(new SimHttp(engine).post("/v1/completions", SimHttp.completion("hi", 2)));
            assertThat(r.get("usage").get("prompt_tokens_details").isNull()).isTrue();
        }
    }
}
