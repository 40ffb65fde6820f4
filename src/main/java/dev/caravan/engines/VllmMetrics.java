package dev.caravan.engines;

/**
 * Reads the few gauges routing needs out of a vLLM /metrics page (Prometheus text format).
 * Names are vLLM V1's; values of several series (one per model or engine index) are summed,
 * and the legacy {@code vllm:gpu_cache_usage_perc} is read when the current name is absent.
 *
 * <p>The KV-cache capacity comes from the info gauge {@code vllm:cache_config_info}, whose labels
 * carry the cache configuration ({@code block_size="16",...,num_gpu_blocks="8192",...}): capacity
 * in tokens is {@code num_gpu_blocks x block_size}, summed over its series because a data-parallel
 * server has one series (and one KV cache) per engine index. A label that is missing or not a
 * number ({@code "None"} before the cache is sized) makes that series count as unknown.
 */
public final class VllmMetrics {

    /**
     * @param kvCacheTokens tokens the engine's KV cache holds, or 0 when the page does not say
     */
    public record Snapshot(int running, int waiting, double kvCacheUsage, long kvCacheTokens) {}

    private static final String CACHE_CONFIG = "vllm:cache_config_info";

    private VllmMetrics() {}

    public static Snapshot parse(String text) {
        double running = 0;
        double waiting = 0;
        double kv = -1;
        double legacyKv = -1;
        long capacity = 0;
        boolean capacityUnknown = false;
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            if (text.charAt(start) != '#') {
                String line = text.substring(start, end);
                if (isSeriesOf(line, "vllm:num_requests_running")) {
                    running += orZero(value(line));
                } else if (isSeriesOf(line, "vllm:num_requests_waiting")) {
                    waiting += orZero(value(line));
                } else if (isSeriesOf(line, "vllm:kv_cache_usage_perc")) {
                    double v = value(line);
                    if (Double.isFinite(v)) kv = Math.max(kv, v);
                } else if (isSeriesOf(line, "vllm:gpu_cache_usage_perc")) {
                    double v = value(line);
                    if (Double.isFinite(v)) legacyKv = Math.max(legacyKv, v);
                } else if (line.startsWith(CACHE_CONFIG + "{")) {
                    long tokens = cacheTokens(line);
                    if (tokens > 0) capacity += tokens;
                    else capacityUnknown = true;
                }
            }
            start = end + 1;
        }
        double usage = kv >= 0 ? kv : Math.max(0, legacyKv);
        // One engine index of unknown size makes the sum a guess: better to say unknown.
        return new Snapshot((int) running, (int) waiting, usage, capacityUnknown ? 0 : capacity);
    }

    /**
     * Whether the line is a series of exactly {@code name}: vLLM V1 prints siblings that extend a name
     * ({@code vllm:num_requests_waiting_by_reason} splits the waiting queue a second time), so a prefix
     * match would count them as well.
     */
    private static boolean isSeriesOf(String line, String name) {
        if (!line.startsWith(name)) return false;
        if (line.length() == name.length()) return true;
        char next = line.charAt(name.length());
        return next == '{' || next == ' ' || next == '\t';
    }

    /** {@code num_gpu_blocks x block_size} of one {@code vllm:cache_config_info} series, or 0. */
    static long cacheTokens(String line) {
        long blocks = positiveLong(labelValue(line, "num_gpu_blocks"));
        long blockSize = positiveLong(labelValue(line, "block_size"));
        return blocks > 0 && blockSize > 0 ? blocks * blockSize : 0;
    }

    /**
     * The value of label {@code name} of one series line, or null. Walks the label pairs in order,
     * so {@code num_gpu_blocks} is not confused with {@code num_gpu_blocks_override}, and a quote or
     * comma escaped inside another label's value does not end that value early.
     */
    static String labelValue(String line, String name) {
        int i = line.indexOf('{');
        if (i < 0) return null;
        int n = line.length();
        i++;
        while (i < n) {
            while (i < n && (line.charAt(i) == ',' || line.charAt(i) == ' ')) i++;
            if (i >= n || line.charAt(i) == '}') return null;
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') return null;
            String label = line.substring(i, eq).trim();
            StringBuilder value = null;
            int j = eq + 2;
            int from = j;
            while (j < n && line.charAt(j) != '"') {
                if (line.charAt(j) == '\\' && j + 1 < n) {
                    if (value == null) value = new StringBuilder();
                    value.append(line, from, j);
                    char c = line.charAt(j + 1);
                    value.append(c == 'n' ? '\n' : c);
                    j += 2;
                    from = j;
                } else {
                    j++;
                }
            }
            if (j >= n) return null; // unterminated value
            if (label.equals(name)) {
                return value == null ? line.substring(from, j) : value.append(line, from, j).toString();
            }
            i = j + 1;
        }
        return null;
    }

    private static long positiveLong(String s) {
        if (s == null) return 0;
        try {
            // vLLM prints ints, but a float rendering ("8192.0") must not make the capacity unknown
            double d = Double.parseDouble(s.trim());
            return d >= 1 && d < Long.MAX_VALUE ? (long) d : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A NaN added to a sum or taken into a max turns the whole result into NaN, which reads as 0
     * load (or no KV usage) for the engine: one series without a value must not hide the others.
     */
    private static double orZero(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    /** The sample value, or NaN when it is not a number (Prometheus also prints NaN, +Inf, -Inf). */
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
            return Double.NaN;
        }
    }
}
