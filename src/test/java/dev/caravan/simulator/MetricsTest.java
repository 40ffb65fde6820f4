package dev.caravan.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics speaks vLLM V1's names and labels, and the values follow what the engine does. */
class MetricsTest {

    private static final String LABELS = "model_name=\"" + SimulatorConfig.DEFAULT_MODEL + "\",engine=\"0\"";

    static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("series %s present", series).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void exposesVllmNamesWithHelpAndTypeLines() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            HttpResponse<String> r = new SimHttp(engine).get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String text = r.body();
            for (String[] nameType : new String[][] {
                    {"vllm:num_requests_running", "gauge"}, {"vllm:num_requests_waiting", "gauge"},
                    {"vllm:kv_cache_usage_perc", "gauge"}, {"vllm:prefix_cache_queries_total", "counter"},
                    {"vllm:prefix_cache_hits_total", "counter"}, {"vllm:prompt_tokens_total", "counter"},
                    {"vllm:generation_tokens_total", "counter"}, {"vllm:request_success_total", "counter"},
                    {"vllm:time_to_first_token_seconds", "histogram"}, {"vllm:inter_token_latency_seconds", "histogram"},
                    {"vllm:e2e_request_latency_seconds", "histogram"}, {"vllm:cache_config_info", "gauge"}}) {
                assertThat(text).contains("# HELP " + nameType[0] + " ");
                assertThat(text).contains("# TYPE " + nameType[0] + " " + nameType[1] + "\n");
            }
            assertThat(value(text, "vllm:num_requests_running{" + LABELS + "}")).isZero();
            assertThat(text).contains("vllm:request_success_total{" + LABELS + ",finished_reason=\"abort\"} 0.0");
            assertThat(text).contains("vllm:time_to_first_token_seconds_bucket{" + LABELS + ",le=\"+Inf\"} 0.0");
            assertThat(text).containsPattern("vllm:cache_config_info\\{block_size=\"16\",.*enable_prefix_caching=\"True\",.*num_gpu_blocks=\"1024\".*\\} 1.0");
            assertThat(text).doesNotContain("gpu_cache_usage_perc");
        }
    }

    @Test
    void valuesFollowTheWork() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0.1).jitterFraction(0).build())) {
            SimHttp http = new SimHttp(engine);
            String prefix = SimHttp.words("metric", 100);
            http.post("/v1/completions", SimHttp.completion(prefix + " one", 3));
            http.post("/v1/completions", SimHttp.completion(prefix + " two", 3));
            ObjectNode chat = SimHttp.chat("stop by itself", 1);
            chat.remove("max_tokens");
            http.post("/v1/chat/completions", chat);

            // 1000 tokens at 1.2 ms: the scrape below happens while it runs, even on a busy machine.
            ObjectNode streamed = SimHttp.completion("long stream", 1000);
            streamed.put("stream", true);
            HttpResponse<InputStream> open = http.postStreaming("/v1/completions", streamed);
            try (SimHttp.SseReader sse = new SimHttp.SseReader(open.body())) {
                sse.next();
                String during = http.get("/metrics").body();
                assertThat(value(during, "vllm:num_requests_running{" + LABELS + "}")).isEqualTo(1.0);
                assertThat(value(during, "vllm:kv_cache_usage_perc{" + LABELS + "}")).isEqualTo(63 / 1024.0);
                sse.rest();
            }
            SimHttp.awaitTrue(() -> engine.stats().running() == 0, Duration.ofSeconds(5));
            String after = http.get("/metrics").body();
            SimulatorStats s = engine.stats();
            assertThat(value(after, "vllm:num_requests_running{" + LABELS + "}")).isZero();
            assertThat(value(after, "vllm:kv_cache_usage_perc{" + LABELS + "}")).isZero();
            assertThat(value(after, "vllm:prompt_tokens_total{" + LABELS + "}")).isEqualTo(s.promptTokens());
            assertThat(value(after, "vllm:prefix_cache_queries_total{" + LABELS + "}")).isEqualTo(s.promptTokens());
            assertThat(value(after, "vllm:prefix_cache_hits_total{" + LABELS + "}")).isEqualTo(s.cachedTokens()).isEqualTo(192.0);
            assertThat(value(after, "vllm:generation_tokens_total{" + LABELS + "}"))
                    .isEqualTo(3 + 3 + engine.config().defaultMaxTokens() + 1000);
            assertThat(value(after, "vllm:request_success_total{" + LABELS + ",finished_reason=\"length\"}")).isEqualTo(3.0);
            assertThat(value(after, "vllm:request_success_total{" + LABELS + ",finished_reason=\"stop\"}")).isEqualTo(1.0);
            assertThat(value(after, "vllm:time_to_first_token_seconds_count{" + LABELS + "}")).isEqualTo(4.0);
            assertThat(value(after, "vllm:e2e_request_latency_seconds_count{" + LABELS + "}")).isEqualTo(4.0);
            assertThat(value(after, "vllm:inter_token_latency_seconds_count{" + LABELS + "}"))
                    .isEqualTo(2 + 2 + engine.config().defaultMaxTokens() - 1 + 999);
            double itlSum = value(after, "vllm:inter_token_latency_seconds_sum{" + LABELS + "}");
            assertThat(itlSum / value(after, "vllm:inter_token_latency_seconds_count{" + LABELS + "}"))
                    .as("mean ITL is the modelled 1.2 ms").isBetween(0.0011, 0.0013);
        }
    }
}
