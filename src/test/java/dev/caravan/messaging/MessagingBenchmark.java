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
 * Run (one command, see docs/messaging.md "Benchmark"): {@code mvn -o -q -B test-compile
 * org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java -Dexec.classpathScope=test
 * -Dexec.args="-Xmx1g -Dbench.variants=NIO=--caravan.messaging.journal-type=NIO|AIO=--caravan.messaging.journal-type=ASYNCIO
 * -cp %classpath dev.caravan.messaging.MessagingBenchmark"}
 */
public final class MessagingBenchmark {

    /** Which phases run: {@code -Dbench.phases=rest,amqp,latency} (default all three). */
    static final String PHASES = System.getProperty("bench.phases", "rest,amqp,latency");
    /** REST phase: messages measured, concurrent senders (agents sending) and long-poll readers (agents reading). */
    private static final int REST_TOTAL = Integer.getInteger("bench.rest-messages", 4_000);
    static final int SENDERS = Integer.getInteger("bench.senders", 8);
    static final int READERS = Integer.getInteger("bench.readers", 8);
    /** AMQP phase: producer connections, each with its own session and at most 1,000 unconfirmed sends. */
    static final int AMQP_PRODUCERS = Integer.getInteger("bench.amqp-producers", 1);
    /** AMQP phase: messages per measured run (a quarter as many first, unmeasured, to warm the path). */
    static final int AMQP_MESSAGES = Integer.getInteger("bench.amqp-messages", 20_000);

    private final ExecutorService httpExecutor = Executors.newFixedThreadPool(32);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(httpExecutor).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String base;

    private MessagingBenchmark(String base) {
        this.base = base;
    }

    /** One measured run of one variant: the figures that go into the median table. */
    record Run(String variant, double rest, double restCpu, double amqp, double amqpCpu, double p50, double p99, double streamP50, double streamP99, String load) { }

    /**
     * Variants side by side: {@code -Dbench.variants="NIO=--caravan.messaging.journal-type=NIO|AIO=--caravan.messaging.journal-type=ASYNCIO"}
     * (label=application args separated by spaces), run alternately {@code bench.rounds} times (A B A B ...),
     * each on a fresh gateway and journal. Extra program arguments go to every variant.
     */
    public static void main(String[] args) throws Exception {
        prepareJvm();
        String spec = System.getProperty("bench.variants", "default=");
        int rounds = Integer.getInteger("bench.rounds", 2);
        int idle = Integer.getInteger("bench.idle-queues", 10_000);
        System.out.printf("cores=%d java=%s commonPool=%d load=%s variants=%s rounds=%d%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), loadAverage(), spec, rounds);
        List<Run> runs = new ArrayList<>();
        String[] variants = spec.split("\\|");
        // JIT warm-up of the JVM: a long-running gateway has compiled its hot paths; the first run in a
        // fresh JVM spends much of its CPU in the compiler. Discarded runs are printed but not counted.
        int warmupRuns = Integer.getInteger("bench.warmup-runs", 0);
        for (int w = 0; w < warmupRuns; w++) {
            String first = variants[0];
            List<String> warmArgs = new ArrayList<>();
            for (String a : first.substring(first.indexOf('=') + 1).split(" ")) {
                if (!a.isBlank()) {
                    warmArgs.add(a);
                }
            }
            warmArgs.addAll(Arrays.asList(args));
            runOnce("warm-up (discarded)", warmArgs, 0);
        }
        for (int round = 1; round <= rounds; round++) {
            for (int v = 0; v < variants.length; v++) {
                String label = variants[v].substring(0, variants[v].indexOf('='));
                List<String> variantArgs = new ArrayList<>();
                for (String a : variants[v].substring(variants[v].indexOf('=') + 1).split(" ")) {
                    if (!a.isBlank()) {
                        variantArgs.add(a);
                    }
                }
                variantArgs.addAll(Arrays.asList(args));
                boolean last = round == rounds && v == variants.length - 1;
                runs.add(runOnce(label, variantArgs, last ? idle : 0));
            }
        }
        System.out.println();
        System.out.printf("REST: %d senders, %d long-poll readers; AMQP: %d producer connection(s); CPU = whole benchmark JVM (gateway, broker, clients) per message%n",
                SENDERS, READERS, AMQP_PRODUCERS);
        System.out.println("| variant | runs | REST send+receive msgs/s | REST CPU ms/msg | AMQP durable msgs/s | AMQP CPU ms/msg | long-poll p50 / p99 ms @500/s | event-stream p50 / p99 ms @500/s | load averages |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String variant : variants) {
            String label = variant.substring(0, variant.indexOf('='));
            List<Run> mine = runs.stream().filter(r -> r.variant().equals(label)).toList();
            System.out.printf("| %s | %d | %.0f | %.2f | %.0f | %.3f | %.1f / %.1f | %.1f / %.1f | %s |%n", label, mine.size(),
                    median(mine.stream().mapToDouble(Run::rest).toArray()), median(mine.stream().mapToDouble(Run::restCpu).toArray()),
                    median(mine.stream().mapToDouble(Run::amqp).toArray()), median(mine.stream().mapToDouble(Run::amqpCpu).toArray()),
                    median(mine.stream().mapToDouble(Run::p50).toArray()), median(mine.stream().mapToDouble(Run::p99).toArray()),
                    median(mine.stream().mapToDouble(Run::streamP50).toArray()), median(mine.stream().mapToDouble(Run::streamP99).toArray()),
                    String.join(", ", mine.stream().map(Run::load).toList()));
        }
        System.exit(0);
    }

    /** Must precede any use of the common pool (the benchmark's HTTP client, the gateway). */
    static void prepareJvm() {
        // On a 2-core host the common pool has parallelism 1, and CompletableFuture then starts a new
        // thread for every async completion: java.net.http.HttpClient (the benchmark's own client) did so
        // for every response, which cost the JVM more CPU than the gateway.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                    String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
    }

    private static Run runOnce(String label, List<String> variantArgs, int idleQueues) throws Exception {
        return runOnce(label, variantArgs, idleQueues, app -> { });
    }

    /** One run on a fresh gateway and journal; {@code inspect} sees the started application first. */
    static Run runOnce(String label, List<String> variantArgs, int idleQueues,
                               java.util.function.Consumer<ConfigurableApplicationContext> inspect) throws Exception {
        try (BenchGateway gateway = BenchGateway.start(variantArgs)) {
            inspect.accept(gateway.app());
            return gateway.measure(label, idleQueues);
        }
    }

    /**
     * A started gateway with its own journal in a temp directory and an AMQP acceptor on a free port; it
     * can be measured any number of times (each phase on new queues), as a long-running gateway is.
     */
    record BenchGateway(ConfigurableApplicationContext app, List<String> args, Path data, int amqpPort) implements AutoCloseable {

        static BenchGateway start(List<String> variantArgs) throws Exception {
            Path data = Files.createTempDirectory("caravan-bench-");
            int amqpPort;
            try (ServerSocket s = new ServerSocket(0)) {
                amqpPort = s.getLocalPort();
            }
            List<String> appArgs = new ArrayList<>(List.of(
                    "--server.port=0", "--caravan.messaging.data-dir=" + data,
                    "--caravan.messaging.acceptor.enabled=true", "--caravan.messaging.acceptor.host=127.0.0.1",
                    "--caravan.messaging.acceptor.port=" + amqpPort,
                    "--caravan.messaging.max-queue-bytes=104857600", "--camel.main.routes-reload-enabled=false",
                    "--spring.jmx.enabled=false", "--camel.main.jmx-enabled=false",
                    "--logging.level.root=WARN", "--logging.level.org.apache.activemq=ERROR"));
            appArgs.addAll(variantArgs);
            ConfigurableApplicationContext app = new SpringApplicationBuilder(CaravanApplication.class)
                    .run(appArgs.toArray(String[]::new));
            return new BenchGateway(app, List.copyOf(variantArgs), data, amqpPort);
        }

        /** The phases of {@link #PHASES}, each after an unmeasured quarter-size warm-up, on new queues. */
        Run measure(String label, int idleQueues) throws Exception {
            MessagingBenchmark bench = new MessagingBenchmark(
                    "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
            String loadBefore = loadAverage();
            System.out.printf("%n== %s %s (journal %s) load %s%n", label, args,
                    app.getEnvironment().getProperty("caravan.messaging.journal-type", "NIO"), loadBefore);
            double[] rest = {Double.NaN, Double.NaN};
            double[] amqp = {Double.NaN, Double.NaN};
            double[] latency = {Double.NaN, Double.NaN};
            double[] streamLatency = {Double.NaN, Double.NaN};
            try {
                if (PHASES.contains("rest")) {
                    bench.restThroughput(REST_TOTAL / 4, SENDERS, READERS);   // warm-up
                    rest = bench.restThroughput(REST_TOTAL, SENDERS, READERS);
                }
                if (PHASES.contains("amqp")) {
                    amqpThroughput(amqpPort, AMQP_MESSAGES / 4, null);        // warm-up
                    amqp = amqpThroughput(amqpPort, AMQP_MESSAGES, null);
                }
                if (PHASES.contains("latency")) {
                    bench.pacedLatency(500, 2, false);     // warm-up
                    latency = bench.pacedLatency(500, 5, false);
                    bench.pacedLatency(500, 2, true);      // warm-up
                    streamLatency = bench.pacedLatency(500, 5, true);
                }
            } finally {
                bench.httpExecutor.shutdown();   // a gateway measured again gets a new client; these threads would stay
            }
            if (idleQueues > 0) {
                idleQueues(app.getBean(WorkflowQueues.class), idleQueues);
            }
            return new Run(label, rest[0], rest[1], amqp[0], amqp[1], latency[0], latency[1], streamLatency[0], streamLatency[1], loadBefore.split(" ")[0] + "-" + loadAverage().split(" ")[0]);
        }

        @Override
        public void close() throws Exception {
            app.close();
            // Each gateway's journal is new; left behind, 40+ MB per run would pile up in the temp directory.
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of this whole JVM (gateway, broker and the benchmark's own clients), in ns. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU time per Java thread, keyed by thread id ({@code -Dbench.thread-cpu=true}): with
     * {@link #printThreadCpu} it shows which threads (client, acceptor, broker executors, journal)
     * a phase's CPU went to, and the remainder is the JVM's own (GC, JIT).
     */
    private static Map<Long, Long> threadCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new java.util.HashMap<>();
        if (!Boolean.getBoolean("bench.thread-cpu")) {
            return cpu;
        }
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, threads.getThreadCpuTime(id));
        }
        return cpu;
    }

    private static void printThreadCpu(Map<Long, Long> before, long processNanos, long messages) {
        if (!Boolean.getBoolean("bench.thread-cpu")) {
            return;
        }
        var threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new java.util.TreeMap<>();
        long javaTotal = 0;
        for (long id : threads.getAllThreadIds()) {
            var info = threads.getThreadInfo(id);
            long now = threads.getThreadCpuTime(id);
            if (info == null || now < 0) {
                continue;
            }
            long spent = now - Math.max(0, before.getOrDefault(id, 0L));
            javaTotal += spent;
            byGroup.merge(info.getThreadName().replaceAll("\\d+", "#"), spent, Long::sum);
        }
        byGroup.put("(JVM: GC, JIT, exited threads)", processNanos - javaTotal);
        long gcMs = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> b.getCollectionTime()).sum();
        System.out.printf("    GC pauses since the JVM started: %d ms in total%n", gcMs);
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(14)
                .forEach(e -> System.out.printf("    %7.1f us/msg  %s%n", e.getValue() / 1e3 / Math.max(1, messages), e.getKey()));
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /**
     * {@code senders} agents each send total/senders messages over REST (sender j to reader j % readers, so
     * every sender-reader pair keeps its order); {@code readers} agents read their own queue with long polls
     * ({@code timeout=5&max_messages=100}, what an agent that wants throughput does). The clock stops when
     * every message has been received.
     */
    private double[] restThroughput(int total, int senders, int readers) throws Exception {
        String wf = "bench-rest-" + System.nanoTime();
        int perSender = total / senders;
        int[] expected = new int[readers];
        for (int j = 0; j < senders; j++) {
            expected[j % readers] += perSender;
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders + readers);
        AtomicInteger received = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger polls = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(senders + readers);
        for (int r = 0; r < readers; r++) {
            get("/v1/workflows/" + wf + "/agents/r" + r + "/messages?timeout=0"); // queues exist before timing
        }
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        for (int j = 0; j < senders; j++) {
            String source = "s" + j;
            String agent = "r" + (j % readers);
            pool.submit(() -> {
                try {
                    for (int i = 0; i < perSender; i++) {
                        post("/v1/workflows/" + wf + "/messages",
                                "{\"source_agent\":\"" + source + "\",\"target_agent\":\"" + agent + "\",\"payload\":{\"i\":" + i + ",\"text\":\"a short agent message\"}}");
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
        }
        for (int r = 0; r < readers; r++) {
            String agent = "r" + r;
            int want = expected[r];
            pool.submit(() -> {
                try {
                    int got = 0;
                    while (got < want && failed.get() == 0) {
                        JsonNode page = mapper.readTree(get("/v1/workflows/" + wf + "/agents/" + agent + "/messages?timeout=5&max_messages=100"));
                        got += page.get("count").asInt();
                        polls.incrementAndGet();
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
        double cpuMs = (processCpuNanos() - cpuStart) / 1e6;
        pool.shutdown();
        System.out.printf("REST send+receive: %d msgs (%d senders, %d long-poll readers) in %.2f s = %.0f msgs/s%s, "
                        + "JVM CPU %.2f ms/msg (gateway+broker+clients), %.1f msgs per poll, load %s%n",
                received.get(), senders, readers, seconds, received.get() / seconds,
                failed.get() > 0 ? " (SEND FAILURES)" : "", cpuMs / Math.max(1, received.get()),
                received.get() / (double) Math.max(1, polls.get()), loadAverage());
        return new double[] {received.get() / seconds, cpuMs / Math.max(1, received.get())};
    }

    /**
     * Durable-acknowledged AMQP throughput: persistent messages sent asynchronously with a JMS 2.0
     * CompletionListener, at most 1,000 unconfirmed at a time. A completion is the broker's settlement,
     * which Artemis gives only after the message is in the (synced) journal; the clock stops when every
     * send is confirmed and every message consumed. (jms.forceAsyncSend without listeners would not tell
     * the producer what was stored.) CPU is this JVM's, plus the broker process' when {@code standalone} is given.
     */
    static double[] amqpThroughput(int port, int total, StandaloneArtemis standalone) throws Exception {
        JmsConnectionFactory factory = new JmsConnectionFactory("caravan", "caravan",
                "amqp://127.0.0.1:" + port + "?jms.prefetchPolicy.all=1000");
        String queue = AgentAddresses.queue("bench-amqp-" + System.nanoTime(), "consumer");
        int producers = AMQP_PRODUCERS;
        List<Connection> producerConnections = new ArrayList<>();
        try (Connection consumerConnection = factory.createConnection()) {
            consumerConnection.start();
            Session cs = consumerConnection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
            MessageConsumer consumer = cs.createConsumer(cs.createQueue(queue));
            CountDownLatch all = new CountDownLatch(total);
            consumer.setMessageListener(m -> all.countDown());
            CountDownLatch confirmed = new CountDownLatch(total);
            AtomicLong failed = new AtomicLong();
            List<Thread> senders = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Connection pc = factory.createConnection();
                producerConnections.add(pc);
                Session ps = pc.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = ps.createProducer(ps.createQueue(queue));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                // At most 1,000 unconfirmed sends per producer connection.
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(1000);
                jakarta.jms.CompletionListener listener = new jakarta.jms.CompletionListener() {
                    @Override public void onCompletion(jakarta.jms.Message message) { window.release(); confirmed.countDown(); }
                    @Override public void onException(jakarta.jms.Message message, Exception e) { failed.incrementAndGet(); window.release(); confirmed.countDown(); }
                };
                int share = total / producers + (p < total % producers ? 1 : 0);
                String source = "producer" + p;
                senders.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < share; i++) {
                            var m = ps.createTextMessage("{\"i\":" + i + ",\"text\":\"a short agent message\"}");
                            m.setStringProperty("caravan_source_agent", source);
                            window.acquire();
                            producer.send(m, listener);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }, "amqp-producer-" + p));
            }
            long start = System.nanoTime();
            Map<Long, Long> threadsBefore = threadCpu();
            long cpuStart = processCpuNanos();
            long brokerCpuStart = standalone == null ? 0 : standalone.cpuNanos();
            senders.forEach(Thread::start);
            for (Thread t : senders) {
                t.join();
            }
            boolean complete = confirmed.await(5, TimeUnit.MINUTES) & all.await(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            long n = total - all.getCount();
            double jvmCpuMs = (processCpuNanos() - cpuStart) / 1e6;
            double brokerCpuMs = standalone == null ? 0 : (standalone.cpuNanos() - brokerCpuStart) / 1e6;
            double cpuMs = jvmCpuMs + brokerCpuMs;
            System.out.printf("AMQP 1.0 %s(Qpid JMS, persistent, async sends confirmed after journal, window 1000 per producer, %d producer connection(s) -> 1 consumer): %d msgs in %.2f s = %.0f msgs/s, failed %d%s, CPU %.3f ms/msg (%s), load %s%n",
                    standalone == null ? "" : "to standalone Artemis ", producers, n, seconds, n / seconds, failed.get(), complete ? "" : " (INCOMPLETE)",
                    cpuMs / Math.max(1, n), standalone == null ? "this JVM" : String.format("client JVM %.3f + broker process %.3f",
                            jvmCpuMs / Math.max(1, n), brokerCpuMs / Math.max(1, n)), loadAverage());
            printThreadCpu(threadsBefore, (long) (jvmCpuMs * 1e6), n);
            if (!complete || failed.get() > 0) {
                throw new IllegalStateException("AMQP run incomplete or with failed sends: " + n + " of " + total + " consumed, " + failed.get() + " failed");
            }
            return new double[] {n / seconds, cpuMs / Math.max(1, n)};
        } finally {
            for (Connection c : producerConnections) {
                c.close();
            }
        }
    }

    /**
     * REST sender paced at `rate` msgs/s for `seconds`; one reader, either long polling
     * ({@code GET .../messages?timeout=5&max_messages=100} in a loop) or on the server-sent event
     * stream ({@code GET .../messages/stream}); latency = receipt time - send start.
     */
    private double[] pacedLatency(int rate, int seconds, boolean stream) throws Exception {
        String wf = "bench-latency-" + System.nanoTime();
        int total = rate * seconds;
        Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        long[] latencies = new long[total];
        long[] sendLatencies = new long[total];
        AtomicInteger got = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        CountDownLatch subscribed = new CountDownLatch(1);
        Thread reader;
        if (stream) {
            reader = new Thread(() -> {
                try {
                    HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(
                            URI.create(base + "/v1/workflows/" + wf + "/agents/reader/messages/stream")).build(),
                            HttpResponse.BodyHandlers.ofLines());
                    subscribed.countDown();
                    var lines = r.body().iterator();
                    while (got.get() < total && lines.hasNext()) {
                        String line = lines.next();
                        if (line.startsWith("data: ")) {
                            long now = System.nanoTime();
                            int i = mapper.readTree(line.substring(6)).get("payload").get("i").asInt();
                            latencies[got.getAndIncrement()] = now - sentAt.get(i);
                        }
                    }
                    r.body().close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
        } else {
            reader = new Thread(() -> {
                try {
                    subscribed.countDown();
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
        }
        get("/v1/workflows/" + wf + "/agents/reader/messages?timeout=0"); // queue exists before timing
        reader.start();
        subscribed.await(10, TimeUnit.SECONDS);
        var scheduler = Executors.newScheduledThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        long periodNanos = 1_000_000_000L / rate;
        var task = scheduler.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i >= total) {
                return;
            }
            long start = System.nanoTime();
            sentAt.put(i, start);
            http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/workflows/" + wf + "/messages"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"source_agent\":\"writer\",\"target_agent\":\"reader\",\"payload\":{\"i\":" + i + "}}")).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .thenAccept(r -> {
                        sendLatencies[i] = System.nanoTime() - start;
                        if (r.statusCode() != 200) failures.incrementAndGet();
                    });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(seconds + 60));
        task.cancel(false);
        scheduler.shutdown();
        long[] sorted = Arrays.copyOf(latencies, got.get());
        Arrays.sort(sorted);
        long[] sends = Arrays.stream(sendLatencies).filter(l -> l > 0).sorted().toArray();
        System.out.printf("REST send->%s receive at %d msgs/s for %d s: n=%d failures=%d p50=%.1f ms p99=%.1f ms max=%.1f ms"
                        + " (the POST alone, answered after the durable store: p50=%.1f ms p99=%.1f ms)%n",
                stream ? "event-stream" : "long-poll", rate, seconds, sorted.length, failures.get(), pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, pct(sends, 0.50), pct(sends, 0.99));
        return new double[] {pct(sorted, 0.50), pct(sorted, 0.99)};
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
