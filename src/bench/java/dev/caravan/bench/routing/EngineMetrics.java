package dev.caravan.bench.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The prefix-cache counters as the engines report them on {@code /metrics}
 * ({@code vllm:prefix_cache_queries_total} and {@code vllm:prefix_cache_hits_total}, in tokens),
 * summed over engines.
 */
record EngineMetrics(double queriedTokens, double hitTokens) {

    double hitRate() { return queriedTokens == 0 ? 0 : hitTokens / queriedTokens; }

    static EngineMetrics scrape(List<URI> engines) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        double q = 0, h = 0;
        for (URI e : engines) {
            String body = http.send(HttpRequest.newBuilder(e.resolve("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            q += value(body, "vllm:prefix_cache_queries_total");
            h += value(body, "vllm:prefix_cache_hits_total");
        }
        return new EngineMetrics(q, h);
    }

    private static double value(String exposition, String name) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
