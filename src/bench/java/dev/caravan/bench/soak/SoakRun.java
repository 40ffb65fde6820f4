package dev.caravan.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak run (issue 18, "Load"): a gateway in its own JVM with simulated engines, and N workflows at
 * once of 5 agents each (planner, three workers, critic) that take turns as agents in a pipeline do:
 * each agent asks for a completion in its workflow, then sends a message to the next agent, who
 * long-polls its inbox for it before its own turn. For a configured duration it counts request errors
 * (any answer but 200), lost messages (a send acknowledged 200 that its recipient never received, after
 * a final drain), duplicates, the gateway's heap over time (the heap left after each of its GCs, from its
 * own GC log, per minute: a leak shows as a floor that keeps rising; and its used heap, garbage included,
 * every 10 s), and p50/p99 of completions (over the run and per 10 s window) and of message send-to-receipt.
 *
 * <pre>mvn -Psoak test-compile exec:exec -Dsoak.args="--workflows=1000 --duration=10m"</pre>
 *
 * Options: {@code --workflows} (1000), {@code --duration} (10m, ISO or 90s/10m), {@code --engines} (4),
 * {@code --time-scale} (0.02: the simulated engines' latencies scaled down, so the gateway, not the
 * engines, is what is soaked), {@code --gateway-heap} (1g), {@code --out} (docs/bench/soak-latest.md).
 */
public final class SoakRun {

    private static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    private static final String[] AGENTS = {"planner", "worker1", "worker2", "worker3", "critic"};
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)", Pattern.MULTILINE);

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestErrors = new AtomicLong();
    private final AtomicLong messagesAcked = new AtomicLong();
    private final AtomicLong messagesReceived = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Set<String> outstanding = ConcurrentHashMap.newKeySet();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> completionMicros = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> messageMicros = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    /** Completions of the current 10 s window, for the p99 over time (a soak's latency must not creep up). */
    private final ConcurrentLinkedQueue<Long> windowCompletionMicros = new ConcurrentLinkedQueue<>();
    private final List<Window> windows = new ArrayList<>();

    /** One 10 s sample: requests and errors so far, the completion p99 within the window. */
    private record Window(long elapsedSeconds, long requests, long errors, String completionP99Ms) { }
    private URI api;
    private URI management;

    public static void main(String[] args) throws Exception {
        int workflows = Integer.parseInt(option(args, "workflows", "1000"));
        Duration duration = duration(option(args, "duration", "10m"));
        int engines = Integer.parseInt(option(args, "engines", "4"));
        String timeScale = option(args, "time-scale", "0.02");
        String heap = option(args, "gateway-heap", "1g");
        Path out = Path.of(option(args, "out", "docs/bench/soak-latest.md"));
        new SoakRun().run(workflows, duration, engines, timeScale, heap, out);
    }

    void run(int workflows, Duration duration, int engines, String timeScale, String heap, Path out) throws Exception {
        int apiPort = freePort();
        int managementPort = freePort();
        Path data = Files.createTempDirectory("caravan-soak-");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Xlog:gc:file=" + data.resolve("gc.log") + ":uptime",
                "-cp", System.getProperty("java.class.path"), "dev.caravan.CaravanApplication",
                "--server.port=" + apiPort, "--management.server.port=" + managementPort,
                "--caravan.simulator.engines=" + engines, "--caravan.simulator.options.time-scale=" + timeScale,
                "--caravan.messaging.data-dir=" + data, "--caravan.workflow-support.max-workflows=" + (workflows * 2),
                "--camel.main.routes-reload-enabled=false", "--logging.level.root=WARN", "--logging.level.caravan.request=WARN",
                "--spring.main.banner-mode=off"));
        Process gateway = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(data.resolve("gateway.log").toFile()).start();
        api = URI.create("http://127.0.0.1:" + apiPort);
        management = URI.create("http://127.0.0.1:" + managementPort);
        List<String> heapSamples = new ArrayList<>();
        try {
            awaitHealthy(Duration.ofMinutes(3));
            System.out.printf("gateway up (log %s); %d workflows x %d agents for %s%n", data.resolve("gateway.log"),
                    workflows, AGENTS.length, duration);
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workflows; w++) {
                String wf = "soak-" + w;
                Thread t = new Thread(() -> workflowLoop(wf, running), "soak-" + w);
                t.setDaemon(true);
                threads.add(t);
            }
            Instant start = Instant.now();
            threads.forEach(Thread::start);
            Instant end = start.plus(duration);
            while (Instant.now().isBefore(end)) {
                Thread.sleep(Math.min(10_000, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
                double mib = heapMiB();
                long elapsed = Duration.between(start, Instant.now()).toSeconds();
                heapSamples.add(elapsed + " s: " + String.format("%.0f", mib) + " MiB");
                String windowP99 = ms(windowCompletionMicros, 0.99);
                windowCompletionMicros.clear();
                windows.add(new Window(elapsed, requests.get(), requestErrors.get(), windowP99));
                System.out.printf("%4d s  requests %d  errors %d  messages %d/%d  heap %.0f MiB  completion p99 (10 s) %s ms%n", elapsed,
                        requests.get(), requestErrors.get(), messagesReceived.get(), messagesAcked.get(), mib, windowP99);
            }
            running.set(false);
            for (Thread t : threads) t.join(60_000);
            long wallSeconds = Math.max(1, Duration.between(start, Instant.now()).toSeconds());
            drain(workflows);
            write(out, workflows, duration, engines, timeScale, heap, wallSeconds, heapSamples,
                    HeapAfterGc.read(data.resolve("gc.log")));
        } finally {
            gateway.destroy();
            gateway.waitFor();
        }
    }

    /** One workflow: its agents take turns, each a completion then a message to the next one. */
    private void workflowLoop(String wf, AtomicBoolean running) {
        String context = "Shared context of " + wf + ": " + "the quarterly report lists revenue, costs and risks. ".repeat(20);
        for (int round = 0; running.get(); round++) {
            for (int i = 0; i < AGENTS.length && running.get(); i++) {
                String agent = AGENTS[i];
                complete(wf, agent, context + " Round " + round + ", act as the " + agent + ".");
                String next = AGENTS[(i + 1) % AGENTS.length];
                String payload = wf + "/" + round + "/" + agent;
                if (send(wf, agent, next, payload)) {
                    receive(wf, next);
                }
            }
        }
    }

    private void complete(String wf, String agent, String prompt) {
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":"
                + quote(prompt) + "}],\"workflow_metadata\":{\"workflow_id\":\"" + wf + "\",\"agent_id\":\"" + agent + "\"}}";
        long t0 = System.nanoTime();
        HttpResponse<String> r = call(HttpRequest.newBuilder(api.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r != null && r.statusCode() == 200) {
            long micros = (System.nanoTime() - t0) / 1000;
            completionMicros.add(micros);
            windowCompletionMicros.add(micros);
        }
    }

    private boolean send(String wf, String from, String to, String payload) {
        String body = "{\"source_agent\":\"" + from + "\",\"target_agent\":\"" + to + "\",\"payload\":{\"ref\":\"" + payload
                + "\",\"sent_nanos\":" + System.nanoTime() + "}}";
        HttpResponse<String> r = call(HttpRequest.newBuilder(api.resolve("/v1/workflows/" + wf + "/messages"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r == null || r.statusCode() != 200) return false;
        messagesAcked.incrementAndGet();
        outstanding.add(payload);
        return true;
    }

    private void receive(String wf, String agent) {
        HttpResponse<String> r = call(HttpRequest.newBuilder(api.resolve("/v1/workflows/" + wf + "/agents/" + agent
                + "/messages?timeout=10&max_messages=10")).GET());
        if (r != null && r.statusCode() == 200) record(r.body());
    }

    private void record(String body) {
        try {
            for (JsonNode m : mapper.readTree(body).path("messages")) {
                String ref = m.path("payload").path("ref").asText();
                if (!seen.add(ref)) {
                    duplicates.incrementAndGet();
                    continue;
                }
                outstanding.remove(ref);
                messagesReceived.incrementAndGet();
                messageMicros.add((System.nanoTime() - m.path("payload").path("sent_nanos").asLong()) / 1000);
            }
        } catch (IOException e) {
            errorSamples.add("unreadable poll: " + e.getMessage());
        }
    }

    /** After the run: whatever is still queued is read, so only what never arrives counts as lost. */
    private void drain(int workflows) {
        for (int w = 0; w < workflows && !outstanding.isEmpty(); w++) {
            for (String agent : AGENTS) {
                HttpResponse<String> r = call(HttpRequest.newBuilder(api.resolve("/v1/workflows/soak-" + w + "/agents/" + agent
                        + "/messages?timeout=0&max_messages=100")).GET());
                if (r != null && r.statusCode() == 200) record(r.body());
            }
        }
    }

    private HttpResponse<String> call(HttpRequest.Builder request) {
        requests.incrementAndGet();
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                requestErrors.incrementAndGet();
                if (errorSamples.size() < 20) errorSamples.add(r.statusCode() + " " + r.body());
            }
            return r;
        } catch (IOException e) {
            requestErrors.incrementAndGet();
            if (errorSamples.size() < 20) errorSamples.add(e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private double heapMiB() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(management.resolve("/actuator/prometheus"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = HEAP.matcher(r.body());
            double bytes = 0;
            while (m.find()) bytes += Double.parseDouble(m.group(1));
            return bytes / (1024 * 1024);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private void awaitHealthy(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(api.resolve("/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the gateway did not become healthy within " + limit);
    }

    private void write(Path out, int workflows, Duration duration, int engines, String timeScale, String heap,
                       long wallSeconds, List<String> heapSamples, HeapAfterGc afterGc) throws IOException {
        long lost = outstanding.size();
        String report = "# Soak run, " + Instant.now() + "\n\n"
                + "`mvn -Psoak test-compile exec:exec -Dsoak.args=\"--workflows=" + workflows + " --duration=" + duration.toSeconds()
                + "s --engines=" + engines + " --time-scale=" + timeScale + " --gateway-heap=" + heap + "\"`\n\n"
                + "| measure | value | target |\n|---|---:|---|\n"
                + "| workflows at once x agents | " + workflows + " x " + AGENTS.length + " | 1,000 x 5 |\n"
                + "| requests (completions, sends, polls) | " + requests.get() + " in " + wallSeconds + " s | |\n"
                + "| request errors | " + requestErrors.get() + " (" + String.format("%.4f", 100.0 * requestErrors.get() / Math.max(1, requests.get())) + " %) | < 0.1 % |\n"
                + "| messages acknowledged / received | " + messagesAcked.get() + " / " + messagesReceived.get() + " | |\n"
                + "| lost messages (acknowledged, never received) | " + lost + " | 0 |\n"
                + "| duplicates | " + duplicates.get() + " | 0 |\n"
                + "| completion latency p50 / p99 | " + ms(completionMicros, 0.50) + " / " + ms(completionMicros, 0.99) + " ms | |\n"
                + "| message send-to-receipt p50 / p99 | " + ms(messageMicros, 0.50) + " / " + ms(messageMicros, 0.99) + " ms | |\n\n"
                + afterGc.markdown(wallSeconds)
                + "\nCompletion p99 per 10 s window (ms): "
                + String.join(", ", windows.stream().map(w -> w.elapsedSeconds() + " s: " + w.completionP99Ms()).toList()) + "\n\n"
                + "Errors over time (requests / errors so far): "
                + String.join(", ", windows.stream().map(w -> w.elapsedSeconds() + " s: " + w.requests() + "/" + w.errors()).toList()) + "\n\n"
                + "Gateway heap used, garbage included (its own `jvm_memory_used_bytes{area=\"heap\"}`, -Xmx" + heap + "), every 10 s: "
                + String.join("; ", heapSamples) + "\n\n"
                + (errorSamples.isEmpty() ? "" : "First errors: " + String.join(" | ", errorSamples) + "\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    private static String ms(ConcurrentLinkedQueue<Long> micros, double q) {
        long[] v = micros.stream().mapToLong(Long::longValue).toArray();
        if (v.length == 0) return "-";
        Arrays.sort(v);
        return String.format("%.1f", v[Math.min(v.length - 1, (int) Math.floor(q * v.length))] / 1000.0);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String option(String[] args, String name, String fallback) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) return a.substring(name.length() + 3);
        }
        return fallback;
    }

    private static Duration duration(String s) {
        if (s.startsWith("P") || s.startsWith("p")) return Duration.parse(s);
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("duration like 90s, 10m or 1h: " + s);
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
