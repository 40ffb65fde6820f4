package dev.caravan.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redraws the plots of a finished run from its {@code results.json} alone (e.g. after the run's JVM
 * died before plotting). The TTFT distributions are then rebuilt from the stored quantiles
 * (p10..p99, linear in between), not from every request.
 *
 * <p>{@code java -cp ... dev.caravan.bench.routing.ChartsFromResults docs/bench/results.json}
 */
public final class ChartsFromResults {

    private ChartsFromResults() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path file = Path.of(args.length > 0 ? args[0] : "docs/bench/results.json");
        ObjectMapper json = new ObjectMapper();
        JsonNode root = json.readTree(file.toFile());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode run : root.path("runs")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = json.convertValue(run, LinkedHashMap.class);
            for (String k : List.of("hit_rate", "hit_rate_bound", "ttft_p50_ms", "ttft_p99_ms")) {
                m.put(k, run.path(k).asDouble());
            }
            if (run.has("hit_rate_pooled_cache")) m.put("hit_rate_pooled_cache", run.path("hit_rate_pooled_cache").asDouble());
            rows.add(m);
        }
        Map<String, Map<String, double[]>> ttfts = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> w = root.path("ttft_quantiles_ms").fields(); w.hasNext(); ) {
            Map.Entry<String, JsonNode> we = w.next();
            Map<String, double[]> byPolicy = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> p = we.getValue().fields(); p.hasNext(); ) {
                Map.Entry<String, JsonNode> pe = p.next();
                byPolicy.put(pe.getKey(), fromQuantiles(pe.getValue()));
            }
            ttfts.put(we.getKey(), byPolicy);
        }
        Charts.write(file.getParent(), rows, ttfts);
    }

    /** 100 values whose empirical distribution passes through the stored quantiles. */
    static double[] fromQuantiles(JsonNode q) {
        double[] at = {0, 10, 25, 50, 75, 90, 95, 99, 100};
        double[] v = {q.path("p10").asDouble(), q.path("p10").asDouble(), q.path("p25").asDouble(), q.path("p50").asDouble(),
                q.path("p75").asDouble(), q.path("p90").asDouble(), q.path("p95").asDouble(), q.path("p99").asDouble(),
                q.path("p99").asDouble()};
        double[] out = new double[100];
        for (int i = 0; i < 100; i++) {
            double pct = i + 0.5;
            int k = 1;
            while (k < at.length - 1 && at[k] < pct) k++;
            double f = (pct - at[k - 1]) / (at[k] - at[k - 1]);
            out[i] = v[k - 1] + f * (v[k] - v[k - 1]);
        }
        return out;
    }
}
