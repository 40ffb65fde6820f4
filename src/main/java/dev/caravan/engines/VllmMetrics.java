package dev.caravan.engines;

/**
 * Reads the few gauges routing needs out of a vLLM /metrics page (Prometheus text format).
 * Names are vLLM V1's; values of several series (one per model or engine index) are summed,
 * and the legacy {@code vllm:gpu_cache_usage_perc} is read when the current name is absent.
 */
public final class VllmMetrics {

    public record Snapshot(int running, int waiting, double kvCacheUsage) {}

    private VllmMetrics() {}

    public static Snapshot parse(String text) {
        double running = 0;
        double waiting = 0;
        double kv = -1;
        double legacyKv = -1;
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            if (text.charAt(start) != '#') {
                String line = text.substring(start, end);
                if (line.startsWith("vllm:num_requests_running")) {
                    running += value(line);
                } else if (line.startsWith("vllm:num_requests_waiting")) {
                    waiting += value(line);
                } else if (line.startsWith("vllm:kv_cache_usage_perc")) {
                    kv = Math.max(kv, value(line));
                } else if (line.startsWith("vllm:gpu_cache_usage_perc")) {
                    legacyKv = Math.max(legacyKv, value(line));
                }
            }
            start = end + 1;
        }
        double usage = kv >= 0 ? kv : Math.max(0, legacyKv);
        return new Snapshot((int) running, (int) waiting, usage);
    }

    private static double value(String line) {
        int brace = line.lastIndexOf('}');
        String rest = (brace >= 0 ? line.substring(brace + 1) : line.substring(line.indexOf(' ') + 1)).trim();
        int space = rest.indexOf(' ');
        if (space > 0) {
            rest = rest.substring(0, space); // optional timestamp
        }
        try {
            return Double.parseDouble(rest);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
