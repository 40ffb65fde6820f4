package dev.caravan.placement.kvevents;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.simulator.SimulatedEngine;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Drives a simulated engine directly (not through the gateway) in the KV event tests. */
final class SimulatedEngineEvents {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SimulatedEngineEvents() {
    }

    /** A completions request of {@code prompt} with a short answer, sent to the engine itself. */
    static void complete(SimulatedEngine sim, String prompt) throws Exception {
        String body = JSON.createObjectNode().put("model", sim.config().primaryModel()).put("prompt", prompt)
                .put("max_tokens", 2).toString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(sim.baseUrl().resolve("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("engine answered " + r.statusCode() + ": " + r.body());
    }

    /** The engine's own token ids of a completions prompt (BOS first, as it computes them). */
    static int[] tokens(SimulatedEngine sim, String prompt) throws Exception {
        String body = JSON.createObjectNode().put("model", sim.config().primaryModel()).put("prompt", prompt).toString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(sim.baseUrl().resolve("/tokenize"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        var ids = JSON.readTree(r.body()).get("tokens");
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(i).asInt();
        return out;
    }

    static String text(String seed, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) sb.append(seed).append(i % 97).append(' ');
        return sb.toString();
    }

    /** Waits (polling) until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    static void eventually(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
