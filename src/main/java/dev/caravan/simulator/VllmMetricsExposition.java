package dev.caravan.simulator;

/**
 * Writes {@code /metrics} in the Prometheus text format with vLLM V1's metric names, labels and
 * HELP texts, so a scraper written for real vLLM reads the simulator unchanged.
 */
final class VllmMetricsExposition {

    private final SimulatorConfig config;
    private final SimulatorStats stats;
    private final EngineScheduler scheduler;
    private final String labels;

    VllmMetricsExposition(SimulatorConfig config, SimulatorStats stats, EngineScheduler scheduler) {
        this.config = config;
        this.stats = stats;
        this.scheduler = scheduler;
        this.labels = "model_name=\"" + escape(config.primaryModel()) + "\",engine=\"0\"";
    }

    String render() {
        EngineScheduler.Snapshot live = scheduler.snapshot();
        StringBuilder out = new StringBuilder(8192);
        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", live.running());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", live.waiting());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", live.kvCacheUsage());
        counter(out, "vllm:prefix_cache_queries_total",
                "Prefix cache queries, in terms of number of queried tokens.", stats.prefixCacheQueries());
        counter(out, "vllm:prefix_cache_hits_total",
                "Prefix cache hits, in terms of number of cached tokens.", stats.cachedTokens());
        counter(out, "vllm:num_preemptions_total",
                "Cumulative number of preemption from the engine.", 0);
        counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", stats.promptTokens());
        counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", stats.generationTokens());

        out.append("# HELP vllm:request_success_total Count of successfully processed requests.\n");
        out.append("# TYPE vllm:request_success_total counter\n");
        success(out, "stop", stats.requestsFinishedStop());
        success(out, "length", stats.requestsFinishedLength());
        success(out, "abort", stats.requestsAborted());

        histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                stats.timeToFirstToken);
        histogram(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                stats.interTokenLatency);
        histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
                stats.e2eLatency);

        out.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n");
        out.append("# TYPE vllm:cache_config_info gauge\n");
        out.append("vllm:cache_config_info{block_size=\"").append(config.blockSize())
                .append("\",cache_dtype=\"auto\",enable_prefix_caching=\"True\",gpu_memory_utilization=\"0.9\"")
                .append(",num_cpu_blocks=\"None\",num_gpu_blocks=\"").append(config.kvCacheBlocks())
                .append("\",prefix_caching_hash_algo=\"sha256\",engine=\"0\"} 1.0\n");
        return out.toString();
    }

    private void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append('{').append(labels).append("} ").append((double) value).append('\n');
    }

    private void success(StringBuilder out, String reason, long value) {
        out.append("vllm:request_success_total{").append(labels).append(",finished_reason=\"").append(reason)
                .append("\"} ").append((double) value).append('\n');
    }

    private void histogram(StringBuilder out, String name, String help, LatencyHistogram h) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        h.writeTo(out, name, labels);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
