package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded journal after kill -9: a child JVM runs the real gateway (CaravanApplication, this
 * build's classpath) on a temporary data directory; agents' sends are in flight when the child is killed
 * with SIGKILL ({@link Process#destroyForcibly()}, no shutdown hook runs, no journal is closed). A second
 * child on the same directory must deliver every message the first one answered "sent" for.
 *
 * <p>Delivery is at-least-once: a message leased (ack=manual) and not acknowledged before the kill is
 * delivered again after it, which is the one duplicate this allows; a message nobody had received is
 * delivered exactly once. Sends that were in flight at the kill (no receipt) may be delivered or not.
 */
class JournalAfterKillTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Process> children = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void everyAcknowledgedSendIsDeliveredAfterKill9() throws Exception {
        String wf = "killed-" + System.nanoTime();
        Path data = dir.resolve("broker");

        Child first = start(data, "first");
        JsonNode leasedReceipt = send(first, wf, "b", "leased");
        JsonNode lease = poll(first, wf, "b", "timeout=2&max_messages=1&ack=manual&visibility_timeout=300");
        assertThat(lease.get("count").asInt()).isEqualTo(1);
        String leasedId = leasedReceipt.get("message_id").asText();
        assertThat(lease.get("messages").get(0).get("id").asText()).isEqualTo(leasedId);

        // Four agents send to "c" until the kill; a receipt means the broker has journalled the message.
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            String source = "s" + s;
            senders.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; ; i++) {
                    try {
                        acknowledged.add(send(first, wf, "c", source + "-" + i, source).get("message_id").asText());
                    } catch (Exception | AssertionError killed) {
                        return; // the gateway went away mid-send: this one has no receipt
                    }
                }
            }));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (acknowledged.size() < 200 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        first.process().destroyForcibly();
        assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        List<String> receipted = List.copyOf(acknowledged);
        assertThat(receipted).as("sends answered before the kill").hasSizeGreaterThanOrEqualTo(50);
        assertThat(first.process().exitValue()).as("killed by SIGKILL").isEqualTo(137);

        Child second = start(data, "second");
        Map<String, Integer> deliveredToC = drain(second, wf, "c");
        assertThat(deliveredToC.keySet()).as("every acknowledged send is delivered").containsAll(receipted);
        assertThat(deliveredToC.values()).as("delivered once each").containsOnly(1);
        assertThat(deliveredToC.size() - receipted.size())
                .as("at most one in-flight (unanswered) send per agent may have reached the journal").isBetween(0, 4);

        Map<String, Integer> deliveredToB = drain(second, wf, "b");
        assertThat(deliveredToB).as("the unacknowledged lease is delivered again (at-least-once)")
                .containsExactly(Map.entry(leasedId, 1));
        assertThat(second.log()).doesNotContain("AMQ224000", "Failure in initialisation");
    }

    /** Every message of the agent's queue, by id with how often it came, until a poll comes back empty. */
    private Map<String, Integer> drain(Child child, String wf, String agent) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        while (true) {
            JsonNode page = poll(child, wf, agent, "timeout=1&max_messages=100");
            if (page.get("count").asInt() == 0) {
                return seen;
            }
            page.get("messages").forEach(m -> seen.merge(m.get("id").asText(), 1, Integer::sum));
        }
    }

    private JsonNode send(Child child, String wf, String target, String text) throws Exception {
        return send(child, wf, target, text, "a");
    }

    private JsonNode send(Child child, String wf, String target, String text, String source) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(child.uri("/v1/workflows/" + wf + "/messages"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"source_agent\":\"" + source + "\",\"target_agent\":\"" + target
                        + "\",\"payload\":{\"text\":\"" + text + "\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return mapper.readTree(r.body());
    }

    private JsonNode poll(Child child, String wf, String agent, String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(child.uri("/v1/workflows/" + wf + "/agents/" + agent
                + "/messages?" + query)).timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return mapper.readTree(r.body());
    }

    record Child(Process process, int port, Path logFile) {
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }
    }

    /** The real gateway in its own JVM, on free ports this test chose, the journal in {@code data}. */
    private Child start(Path data, String name) throws Exception {
        int apiPort = freePort();
        int managementPort = freePort();
        Path log = dir.resolve(name + ".log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CaravanApplication.class.getName(),
                "--server.port=" + apiPort,
                "--management.server.port=" + managementPort,
                "--caravan.messaging.data-dir=" + data,
                "--caravan.messaging.acceptor.enabled=false",
                "--caravan.simulator.engines=1",
                "--camel.main.routes-reload-enabled=false",
                "--spring.main.banner-mode=off")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(Paths.get(System.getProperty("user.dir")).toFile()); // routes/ and broker/ are read from here
        Process process = pb.start();
        children.add(process);
        Child child = new Child(process, apiPort, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("child exited early:\n%s", tail(child)).isTrue();
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(child.uri("/health"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return child;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("child not healthy within " + START_TIMEOUT + ":\n" + tail(child));
    }

    private static String tail(Child child) {
        try {
            String log = child.log();
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** A port free right now; the child binds it a moment later (a clash fails the start, loudly). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
