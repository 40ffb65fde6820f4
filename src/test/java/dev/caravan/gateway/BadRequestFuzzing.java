package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.fixtures.OpenAiErrorBodies;
import dev.caravan.gateway.BadRequests.BadRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends generated bad requests ({@link BadRequests}) to the running gateway and collects every answer
 * that breaks the contract: not a 4xx, no answer within the client timeout, not an OpenAI error body,
 * or internals (stack frames, class names) in the body. Subclasses choose the key setting.
 */
abstract class BadRequestFuzzing extends GatewayTestSupport {

    static final int REQUESTS = 2_000;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    /** Failures, and how the statuses spread (reported so a run shows what it exercised). */
    record Outcome(List<String> failures, Map<String, Integer> statuses) { }

    Outcome fuzz(long seed, int requests, int oversized, Authorization auth) throws Exception {
        BadRequests generator = new BadRequests(seed);
        java.util.Random keys = new java.util.Random(seed ^ 0x5eed);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < requests + oversized; i++) {
            BadRequest bad = i < requests ? generator.next() : generator.oversized();
            String key = auth.keyFor(keys);
            int expected = bad.expectedStatus() > 0 ? bad.expectedStatus() : auth.refused(key) && keyed(bad.path()) ? 401 : -1;
            String problem = check(bad, key, expected, statuses);
            if (problem != null) {
                failures.add("#" + i + " " + bad + (key == null ? "" : " key=" + auth.describe(key)) + ": " + problem);
            }
        }
        return new Outcome(failures, statuses);
    }

    /** The paths API keys guard (CaravanApiServer); /health and unknown roots answer without a key. */
    private static boolean keyed(String path) {
        return path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/tokenize") || path.startsWith("/detokenize");
    }

    /** Which key each request carries. */
    interface Authorization {
        String keyFor(java.util.Random random);

        /** True when the key alone must get a 401 whatever the request. */
        boolean refused(String key);

        default String describe(String key) {
            return refused(key) ? "refused" : "accepted";
        }
    }

    private String check(BadRequest bad, String key, int expectedStatus, Map<String, Integer> statuses) throws Exception {
        HttpRequest.BodyPublisher body = bad.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(bad.body());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(bad.path())).timeout(CLIENT_TIMEOUT).method(bad.method(), body);
        if (bad.contentType() != null) {
            b.header("Content-Type", bad.contentType());
        }
        if (key != null) {
            b.header("Authorization", key);
        }
        if (bad.fillerHeaderBytes() > 0) {
            b.header("X-Filler", "f".repeat(bad.fillerHeaderBytes()));
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return "no answer within " + CLIENT_TIMEOUT;
        } catch (java.io.IOException e) {
            return "connection failed: " + e;
        }
        statuses.merge(r.statusCode() + " " + code(r), 1, Integer::sum);
        if (r.statusCode() < 400 || r.statusCode() > 499) {
            return "status " + r.statusCode() + ": " + abbreviated(r.body());
        }
        if (expectedStatus > 0 && r.statusCode() != expectedStatus) {
            return "status " + r.statusCode() + " instead of " + expectedStatus + ": " + abbreviated(r.body());
        }
        return OpenAiErrorBodies.problem(mapper, r.headers().firstValue("content-type").orElse(null), r.body());
    }

    private String code(HttpResponse<String> r) {
        return OpenAiErrorBodies.code(mapper, r.body());
    }

    private static String abbreviated(String body) {
        return OpenAiErrorBodies.abbreviated(body);
    }

    /** After the storm: ready, and a valid completion still answers. */
    void assertHealthy(String key) throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        String chat = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"still there?\"}],"
                + "\"max_tokens\":3,\"workflow_metadata\":{\"workflow_id\":\"fuzzed\",\"agent_id\":\"a\"}}";
        HttpResponse<String> ok = key == null ? post("/v1/chat/completions", chat)
                : post("/v1/chat/completions", chat, "Authorization", key);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).path("choices").get(0).path("message").path("content").asText()).isNotEmpty();
    }
}
