package dev.caravan.bench.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code results.json} (everything), {@code summary.csv} (one row per workload, profile and policy). */
final class ResultFiles {

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ResultFiles(Path dir) { this.dir = dir; }

    Map<String, Object> write(List<Map<String, Object>> workloads, List<Map<String, Object>> rows,
                              Map<String, Map<String, double[]>> ttfts, double seconds) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", Instant.now().toString());
        root.put("duration_s", RunSummary.r1(seconds));
        root.put("java", System.getProperty("java.version"));
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        root.put("workloads", workloads);
        root.put("runs", rows);
        Map<String, Object> dist = new LinkedHashMap<>();
        ttfts.forEach((w, byPolicy) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            byPolicy.forEach((p, v) -> {
                Map<String, Object> q = new LinkedHashMap<>();
                for (int pct : new int[] {10, 25, 50, 75, 90, 95, 99}) q.put("p" + pct, RunSummary.r1(Stats.percentile(v, pct)));
                m.put(p, q);
            });
            dist.put(w, m);
        });
        root.put("ttft_quantiles_ms", dist);
        json.writeValue(dir.resolve("results.json").toFile(), root);
        StringBuilder csv = new StringBuilder(String.join(",", RunSummary.COLUMNS)).append('\n');
        for (Map<String, Object> r : rows) {
            StringBuilder line = new StringBuilder();
            for (String c : RunSummary.COLUMNS) {
                if (line.length() > 0) line.append(',');
                Object v = r.get(c);
                line.append(v == null ? "" : v.toString());
            }
            csv.append(line).append('\n');
        }
        Files.writeString(dir.resolve("summary.csv"), csv);
        return root;
    }

    static String markdownTable(List<Map<String, Object>> rows) {
        String[] cols = {"workload", "profile", "policy", "ttft_p50_ms", "ttft_p95_ms", "ttft_p99_ms", "e2e_p50_ms", "throughput_rps",
                "hit_rate", "hit_rate_bound", "hit_rate_pooled_cache", "imbalance_requests", "imbalance_busy", "moved_requests", "kv_blocks_mean",
                "kv_blocks_peak", "wall_s", "errors"};
        StringBuilder sb = new StringBuilder("| " + String.join(" | ", cols) + " |\n|");
        for (int i = 0; i < cols.length; i++) sb.append("---|");
        sb.append('\n');
        for (Map<String, Object> r : rows) {
            sb.append('|');
            for (String c : cols) sb.append(' ').append(r.get(c) == null ? "" : r.get(c)).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }
}
