package dev.caravan.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scraper reads load and KV-cache capacity from vLLM's /metrics, and tolerates what is missing. */
class VllmMetricsTest {

    /** A vLLM V1 line as a real server prints it (labels sorted, the override label right after). */
    private static final String REAL_V1 = "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\","
            + "calculate_kv_scales=\"False\",cpu_offload_gb=\"0\",enable_prefix_caching=\"True\",engine=\"0\","
            + "gpu_memory_utilization=\"0.9\",is_attention_free=\"False\",num_cpu_blocks=\"None\","
            + "num_gpu_blocks=\"27404\",num_gpu_blocks_override=\"None\",prefix_caching_hash_algo=\"builtin\","
            + "sliding_window=\"None\",swap_space=\"4\",swap_space_bytes=\"4294967296\"} 1.0\n";

    @Test
    void capacityIsGpuBlocksTimesBlockSize() {
        String page = "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
                + "# TYPE vllm:num_requests_running gauge\n"
                + "vllm:num_requests_running{model_name=\"m\",engine=\"0\"} 3.0\n"
                + "vllm:num_requests_waiting{model_name=\"m\",engine=\"0\"} 2.0\n"
                + "vllm:kv_cache_usage_perc{model_name=\"m\",engine=\"0\"} 0.25\n"
                + "# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n"
                + "# TYPE vllm:cache_config_info gauge\n"
                + REAL_V1;
        VllmMetrics.Snapshot s = VllmMetrics.parse(page);
        assertThat(s.running()).isEqualTo(3);
        assertThat(s.waiting()).isEqualTo(2);
        assertThat(s.kvCacheUsage()).isEqualTo(0.25);
        assertThat(s.kvCacheTokens()).isEqualTo(27404L * 16);
    }

    @Test
    void siblingMetricsSharingANamePrefixAreNotCounted() {
        // vLLM V1 splits the waiting queue by reason in a second gauge next to the total
        String page = "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 2.0\n"
                + "vllm:num_requests_waiting{engine=\"0\",model_name=\"m\"} 4.0\n"
                + "vllm:num_requests_waiting_by_reason{engine=\"0\",model_name=\"m\",reason=\"capacity\"} 3.0\n"
                + "vllm:num_requests_waiting_by_reason{engine=\"0\",model_name=\"m\",reason=\"deferred\"} 1.0\n"
                + "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.5\n"
                + "vllm:kv_cache_usage_perc_max 0.9\n";
        VllmMetrics.Snapshot s = VllmMetrics.parse(page);
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.waiting()).isEqualTo(4);
        assertThat(s.kvCacheUsage()).isEqualTo(0.5);
    }

    @Test
    void aNotANumberSeriesDoesNotWipeOutTheOthers() {
        String page = "vllm:num_requests_running{engine=\"0\"} 3.0\n"
                + "vllm:num_requests_running{engine=\"1\"} NaN\n"
                + "vllm:num_requests_waiting{engine=\"0\"} +Inf\n"
                + "vllm:num_requests_waiting{engine=\"1\"} 2.0\n"
                + "vllm:kv_cache_usage_perc{engine=\"0\"} NaN\n"
                + "vllm:kv_cache_usage_perc{engine=\"1\"} 0.75\n";
        VllmMetrics.Snapshot s = VllmMetrics.parse(page);
        assertThat(s.running()).isEqualTo(3);
        assertThat(s.waiting()).isEqualTo(2);
        assertThat(s.kvCacheUsage()).isEqualTo(0.75);
    }

    @Test
    void dataParallelEnginesAddUp() {
        String page = "vllm:cache_config_info{block_size=\"32\",engine=\"0\",num_gpu_blocks=\"1000\"} 1.0\n"
                + "vllm:cache_config_info{block_size=\"32\",engine=\"1\",num_gpu_blocks=\"1000\"} 1.0\n";
        assertThat(VllmMetrics.parse(page).kvCacheTokens()).isEqualTo(64_000);
    }

    @Test
    void missingOrUnsizedCacheIsUnknownAndBreaksNothing() {
        String noGauge = "vllm:num_requests_running{model_name=\"m\"} 1.0\nvllm:num_requests_waiting{model_name=\"m\"} 4.0\n";
        VllmMetrics.Snapshot s = VllmMetrics.parse(noGauge);
        assertThat(s.kvCacheTokens()).isZero();
        assertThat(s.running()).isEqualTo(1);
        assertThat(s.waiting()).isEqualTo(4);

        // before the cache is sized, or from a build that leaves the label out
        assertThat(VllmMetrics.parse("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"None\"} 1.0\n")
                .kvCacheTokens()).isZero();
        assertThat(VllmMetrics.parse("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks_override=\"512\"} 1.0\n")
                .kvCacheTokens()).isZero();
        assertThat(VllmMetrics.parse("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"12").kvCacheTokens())
                .isZero();
        assertThat(VllmMetrics.parse("").kvCacheTokens()).isZero();
        // one engine index of unknown size: the total is unknown rather than half the truth
        assertThat(VllmMetrics.parse("vllm:cache_config_info{block_size=\"16\",engine=\"0\",num_gpu_blocks=\"100\"} 1.0\n"
                + "vllm:cache_config_info{block_size=\"16\",engine=\"1\",num_gpu_blocks=\"None\"} 1.0\n").kvCacheTokens())
                .isZero();
    }

    @Test
    void labelsAreReadPairByPair() {
        String line = "x{a=\"1\",tricky=\"say \\\"num_gpu_blocks=\\\"9\\\", ok\",num_gpu_blocks_override=\"7\","
                + "num_gpu_blocks=\"42\",block_size=\"16.0\"} 1";
        assertThat(VllmMetrics.labelValue(line, "num_gpu_blocks")).isEqualTo("42");
        assertThat(VllmMetrics.labelValue(line, "tricky")).isEqualTo("say \"num_gpu_blocks=\"9\", ok");
        assertThat(VllmMetrics.labelValue(line, "absent")).isNull();
        assertThat(VllmMetrics.cacheTokens(line)).isEqualTo(42 * 16);
    }

    @Test
    void theMonitorReadsTheSimulatorsCapacity() throws Exception {
        SimulatorConfig config = SimulatorConfig.builder().timeScale(0).kvCacheBlocks(8192).blockSize(16).build();
        try (SimulatedEngine sim = SimulatedEngine.start(config)) {
            EngineRegistry registry = new EngineRegistry();
            Engine engine = new Engine("sim", sim.baseUrl(), Set.of(), Map.of(), false);
            registry.add(engine, null);
            EngineHealthMonitor monitor = new EngineHealthMonitor(registry, HttpClient.newHttpClient(),
                    new EngineProperties.Client(), new ObjectMapper());
            monitor.checkAll().join();
            assertThat(engine.isHealthy()).isTrue();
            assertThat(engine.kvCacheTokens()).isEqualTo(8192L * 16);
        }
    }

    @Test
    void configuredCapacityWinsOverTheReportedOne() {
        Engine scraped = new Engine("a", URI.create("http://a:8000"), Set.of(), Map.of(), false);
        assertThat(scraped.kvCacheTokens()).isZero();
        scraped.reportedKvCacheTokens(131_072);
        assertThat(scraped.kvCacheTokens()).isEqualTo(131_072);
        scraped.reportedKvCacheTokens(0); // the gauge went away: unknown again
        assertThat(scraped.kvCacheTokens()).isZero();

        Engine configured = new Engine("b", URI.create("http://b:8000"), Set.of(), Map.of(), false, 50_000);
        configured.reportedKvCacheTokens(131_072);
        assertThat(configured.kvCacheTokens()).isEqualTo(50_000);
    }
}
