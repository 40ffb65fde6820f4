import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds N streamed completions open through the gateway at the same time and checks every one:
 * status 200, SSE events relayed, no error event, ends with {@code data: [DONE]}. While all of
 * them are open it samples the gateway's heap (actuator), forces one full GC with jcmd and reads
 * the live heap again. Single file, no dependencies: {@code java OpenStreams.java ...}.
 *
 * <pre>
 * java OpenStreams.java URL BODY_FILE STREAMS HEAP_URL GATEWAY_PID DEADLINE_SECONDS
 * </pre>
 */
public class OpenStreams {

    private static final Pattern HEAP_VALUE = Pattern.compile("\"statistic\"\\s*:\\s*\"VALUE\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.Ee+]+)");

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        int streams = Integer.parseInt(args[2]);
        URI heapUrl = URI.create(args[3]);
        String gatewayPid = args[4];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
        HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<Long> durations = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, AtomicInteger> errorKinds = new ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(streams);

        long started = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            Thread t = new Thread(null, () -> {
                long t0 = System.nanoTime();
                String error = null;
                boolean counted = false;
                try {
                    HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                        if (resp.statusCode() != 200) {
                            error = "status " + resp.statusCode();
                        } else {
                            int events = 0;
                            boolean done = false;
                            String line;
                            while ((line = r.readLine()) != null) {
                                if (!counted) {
                                    counted = true;
                                    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                                }
                                if (line.startsWith("data: ")) {
                                    if (line.equals("data: [DONE]")) {
                                        done = true;
                                    } else if (line.startsWith("data: {\"error\"")) {
                                        error = "error event";
                                    } else {
                                        events++;
                                    }
                                }
                            }
                            if (error == null && !done) {
                                error = "no [DONE]";
                            } else if (error == null && events == 0) {
                                error = "no events";
                            }
                        }
                    }
                } catch (Exception e) {
                    error = e.getClass().getSimpleName();
                } finally {
                    if (counted) {
                        open.decrementAndGet();
                    }
                    if (error == null) {
                        ok.incrementAndGet();
                        durations.add(System.nanoTime() - t0);
                    } else {
                        errors.add(error);
                        errorKinds.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                    }
                    finished.countDown();
                }
            }, "stream-" + i, 256 * 1024);
            t.setDaemon(true);
            t.start();
            if (i % 100 == 99) {
                Thread.sleep(50); // ramp up over about a second per 2,000 streams
            }
        }

        // Wait until every stream is open (or they start to end), then sample the heap while they are.
        while (open.get() < streams && finished.getCount() == streams && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int openWhenSampled = open.get();
        long rampMs = (System.nanoTime() - started) / 1_000_000;
        double heapPeak = 0;
        for (int i = 0; i < 6 && open.get() >= openWhenSampled * 0.95; i++) {
            heapPeak = Math.max(heapPeak, heap(probe, heapUrl));
            Thread.sleep(300);
        }
        double heapAfterGc = -1;
        int openAtGc = open.get();
        if (!"-".equals(gatewayPid)) {
            Process gc = new ProcessBuilder("jcmd", gatewayPid, "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            gc.waitFor(30, TimeUnit.SECONDS);
            openAtGc = Math.min(openAtGc, open.get());
            heapAfterGc = heap(probe, heapUrl);
        }

        long left = Math.max(0, deadline - System.nanoTime());
        boolean all = finished.await(left, TimeUnit.NANOSECONDS);
        List<Long> d = new ArrayList<>(durations);
        Collections.sort(d);
        double p50 = d.isEmpty() ? 0 : d.get(d.size() / 2) / 1e9;
        int errs = errors.size() + (all ? 0 : (int) finished.getCount());
        System.out.printf("RESULT streams=%d ok=%d errors=%d max_open=%d open_when_sampled=%d open_at_gc=%d ramp_ms=%d "
                        + "heap_peak_mb=%.1f heap_after_gc_mb=%.1f stream_p50_s=%.1f unfinished=%d%n",
                streams, ok.get(), errs, maxOpen.get(), openWhenSampled, openAtGc, rampMs,
                heapPeak / 1048576, heapAfterGc < 0 ? -1 : heapAfterGc / 1048576, p50,
                all ? 0 : finished.getCount());
        if (!errorKinds.isEmpty()) {
            System.out.println("ERRORS " + errorKinds);
        }
        System.exit(0);
    }

    private static double heap(HttpClient probe, URI heapUrl) {
        try {
            HttpResponse<String> r = probe.send(HttpRequest.newBuilder(heapUrl).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = HEAP_VALUE.matcher(r.body());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
