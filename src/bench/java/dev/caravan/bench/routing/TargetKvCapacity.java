package dev.caravan.bench.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The KV-cache size of the engines behind a running gateway ({@code --target}), as its {@code /health}
 * reports them ({@code kv_cache_tokens} per engine, from vLLM's {@code cache_config_info} or the
 * engine's configuration): what the pooled-cache reference must hold to compare the target's
 * placement with one cache as large as its engines together.
 */
final class TargetKvCapacity {

    private TargetKvCapacity() {}

    /** Total KV blocks of the target's engines, or -1 when an engine does not report its size. */
    static long blocks(URI gateway, int blockSize) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.resolve("/health"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return blocks(new ObjectMapper().readTree(r.body()), blockSize);
    }

    static long blocks(JsonNode health, int blockSize) {
        JsonNode engines = health.path("engines");
        if (!engines.isArray() || engines.isEmpty()) return -1;
        long tokens = 0;
        for (JsonNode e : engines) {
            long t = e.path("kv_cache_tokens").asLong(0);
            if (t <= 0) return -1;
            tokens += t;
        }
        return tokens / blockSize;
    }
}
