package dev.caravan.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Messaging benchmark (not part of the test run). Starts the gateway with a persistent journal in a
 * temp directory and measures:
 * <ol>
 *   <li>REST send + receive throughput (concurrent senders, long-poll readers, max_messages=100);</li>
 *   <li>AMQP 1.0 throughput (Qpid JMS, persistent messages, one producer and one consumer);</li>
 *   <li>send-to-receive latency over REST at a paced 500 msgs/s (p50/p99/max);</li>
 *   <li>10,000 idle agent queues: creation time and heap per queue.</li>
 * </ol>
 * Run: {@code mvn -o -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.mainClass=dev.caravan.messaging.MessagingBenchmark -Dexec.classpathScope=test}
 */
public final class MessagingBenchmark {

    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(32)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String base;

    private MessagingBenchmark(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("caravan-bench-");
        int amqpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            amqpPort = s.getLocalPort();
        }
        List<String> appArgs = new ArrayList<>(List.of(
                "--server.port=0", "--caravan.messaging.data-dir=" + data,
                "--caravan.messaging.acceptor.host=127.0.0.1", "--caravan.messaging.acceptor.port=" + amqpPort,
                "--caravan.messaging.max-queue-bytes=104857600", "--camel.main.routes-reload-enabled=false",
                "--logging.level.root=WARN", "--logging.level.org.apache.activemq=ERROR"));
        // Extra --key=value arguments go to the application (e.g. executor settings to compare).
        appArgs.addAll(Arrays.asList(args));
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CaravanApplication.class)
                .run(appArgs.toArray(String[]::new));
        try {
            MessagingBenchmark bench = new MessagingBenchmark(
                    "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
            System.out.printf("cores=%d java=%s data=%s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), data);
            System.out.println("args: " + String.join(" ", args));
            bench.restThroughput(2_000, 8);         // warm-up
            bench.restThroughput(10_000, 8);
            amqpThroughput(amqpPort, 10_000);       // warm-up
            amqpThroughput(amqpPort, 50_000);
            bench.pacedLatency(500, 10);
            idleQueues(app.getBean(WorkflowQueues.class), 10_000);
        } finally {
            app.close();
            System.exit(0);
        }
    }

    /** senders x (total/senders) REST sends to `senders` agents; the same number of long-poll readers. */
    private void restThroughput(int total, int pairs) throws Exception {
        String wf = "bench-rest-" + System.nanoTime();
        int perPair = total / pairs;
        ExecutorService pool = Executors.newFixedThreadPool(pairs * 2);
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(pairs * 2);
        long start = System.nanoTime();
        for (int p = 0; p < pairs; p++) {
            String agent = "r" + p;
            pool.submit(() -> {
                try {
                    for (int i = 0; i < perPair; i++) {
                        post("/v1/workflows/" + wf + "/messages",
                                "{\"source_agent\":\"s\",\"target_agent\":\"" + agent + "\",\"payload\":{\"i\":" + i + ",\"text\":\"a short agent message\"}}");
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
            pool.submit(() -> {
                try {
                    int got = 0;
                    while (got < perPair) {
                        JsonNode page = mapper.readTree(get("/v1/workflows/" + wf + "/agents/" + agent + "/messages?timeout=5&max_messages=100"));
                        got += page.get("count").asInt();
                    }
                    received.addAndGet(got);
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("REST send+receive: %d msgs (%d senders, %d long-poll readers) in %.2f s = %.0f msgs/s%n",
                received.get(), pairs, pairs, seconds, received.get() / seconds);
    }

    private static void amqpThroughput(int port, int total) throws Exception {
        // forceAsyncSend: the producer does not wait per message; messages are still persistent and
        // journalled (the broker settles them after the journal write).
        JmsConnectionFactory factory = new JmsConnectionFactory("caravan", "caravan",
                "amqp://127.0.0.1:" + port + "?jms.forceAsyncSend=true&jms.prefetchPolicy.all=1000");
        String queue = AgentAddresses.queue("bench-amqp-" + System.nanoTime(), "consumer");
        try (Connection consumerConnection = factory.createConnection();
             Connection producerConnection = factory.createConnection()) {
            consumerConnection.start();
            Session cs = consumerConnection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
            MessageConsumer consumer = cs.createConsumer(cs.createQueue(queue));
            CountDownLatch all = new CountDownLatch(total);
            consumer.setMessageListener(m -> all.countDown());
            Session ps = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = ps.createProducer(ps.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                var m = ps.createTextMessage("{\"i\":" + i + ",\"text\":\"a short agent message\"}");
                m.setStringProperty("caravan_source_agent", "producer");
                producer.send(m);
            }
            boolean complete = all.await(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("AMQP 1.0 (Qpid JMS, persistent, 1 producer -> 1 consumer): %d msgs in %.2f s = %.0f msgs/s%s%n",
                    total - all.getCount(), seconds, (total - all.getCount()) / seconds, complete ? "" : " (INCOMPLETE)");
        }
    }

    /** REST sender paced at `rate` msgs/s for `seconds`; one long-poll reader; latency = receipt time - send start. */
    private void pacedLatency(int rate, int seconds) throws Exception {
        String wf = "bench-latency-" + System.nanoTime();
        int total = rate * seconds;
        Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        long[] latencies = new long[total];
        AtomicInteger got = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        Thread reader = new Thread(() -> {
            try {
                while (got.get() < total) {
                    JsonNode page = mapper.readTree(get("/v1/workflows/" + wf + "/agents/reader/messages?timeout=5&max_messages=100"));
                    long now = System.nanoTime();
                    for (JsonNode m : page.get("messages")) {
                        int i = m.get("payload").get("i").asInt();
                        latencies[got.getAndIncrement()] = now - sentAt.get(i);
                    }
                    if (page.get("count").asInt() == 0 && failures.get() > total / 2) {
                        break;
                    }
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        get("/v1/workflows/" + wf + "/agents/reader/messages?timeout=0"); // queue exists before timing
        reader.start();
        var scheduler = Executors.newScheduledThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        var task = scheduler.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i >= total) {
                return;
            }
            sentAt.put(i, System.nanoTime());
            http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/workflows/" + wf + "/messages"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"source_agent\":\"writer\",\"target_agent\":\"reader\",\"payload\":{\"i\":" + i + "}}")).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .thenAccept(r -> { if (r.statusCode() != 200) failures.incrementAndGet(); });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(seconds + 60));
        task.cancel(false);
        scheduler.shutdown();
        long[] sorted = Arrays.copyOf(latencies, got.get());
        Arrays.sort(sorted);
        System.out.printf("REST send->long-poll receive at %d msgs/s for %d s: n=%d failures=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n",
                rate, seconds, sorted.length, failures.get(), pct(sorted, 0.50), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static void idleQueues(WorkflowQueues queues, int count) {
        long before = usedHeapAfterGc();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            queues.ensureAgentQueue("bench-idle-" + (i / 10), "agent" + (i % 10));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = usedHeapAfterGc();
        System.out.printf("%d idle agent queues (%d workflows): created in %.1f s, heap +%.1f MiB (%.1f KiB per queue), heap used %.0f MiB%n",
                count, count / 10, seconds, (after - before) / 1048576.0, (after - before) / 1024.0 / count, after / 1048576.0);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private String post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
