package dev.caravan.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One headless Chromium driven over the DevTools protocol (a WebSocket, no extra library): it keeps
 * its cookies between pages, so a test can log in through a real form and then look around, as an
 * operator would. Pages are waited for by what they show, not by a fixed time.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    HeadlessChromium(Path chromium) throws Exception {
        profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1400,900",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HttpClient http = HttpClient.newHttpClient();
        String pageSocket = pageWebSocket(http);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Replies()).get(10, TimeUnit.SECONDS);
    }

    /** Chromium writes its DevTools port to the profile once it listens; its page target has a WebSocket of its own. */
    private String pageWebSocket(HttpClient http) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chromium exited with " + process.exitValue());
            }
            if (Files.exists(portFile) && !Files.readAllLines(portFile).isEmpty()) {
                String port = Files.readAllLines(portFile).get(0).trim();
                JsonNode targets = mapper.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if ("page".equals(t.path("type").asText())) {
                        return t.get("webSocketDebuggerUrl").asText();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromium did not open its DevTools port within " + START);
    }

    /** Sends one DevTools command and waits for its result. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode msg = mapper.createObjectNode().put("id", id).put("method", method);
        msg.set("params", mapper.valueToTree(params));
        socket.sendText(mapper.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode r = reply.get(60, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    void open(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** Evaluates a script in the page; its value (a string, number or boolean). */
    JsonNode eval(String script) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", script, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException(script + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Waits until the script is true on the current page; fails with what the page shows instead. */
    void waitFor(String condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (eval("!!(" + condition + ")").asBoolean()) {
                    return;
                }
            } catch (IllegalStateException navigating) {
                // the page's context went away while it navigated: ask the next one
            }
            Thread.sleep(250);
        }
        throw new AssertionError("page never showed " + condition + "; it is at " + eval("location.href").asText()
                + " showing: " + eval("document.body ? document.body.innerText : ''").asText());
    }

    String dom() throws Exception {
        return eval("document.documentElement ? document.documentElement.outerHTML : ''").asText();
    }

    void screenshot(Path file) throws Exception {
        String png = call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws IOException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        } finally {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Collects a reply's frames and hands it to the command waiting for its id; events are ignored. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = mapper.readTree(partial.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.remove(msg.get("id").asInt());
                        if (reply != null) {
                            reply.complete(msg);
                        }
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
