package dev.caravan.messaging;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A standalone Apache Artemis broker in its own process, for the messaging benchmark's side-by-side
 * comparison (never used by the gateway or the test run). The instance is made by the distribution's
 * own {@code bin/artemis create} (login required, no web console, NIO journal, no journal auto-tuning),
 * then its broker.xml gets the embedded broker's storage settings and native acceptor
 * ({@link MatchedBrokerSettings}); the JVM options are the distribution's ({@code etc/artemis.profile}).
 * {@link #close} ends the process, and a shutdown hook does so if the benchmark JVM exits first.
 */
final class StandaloneArtemis implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path instance;
    private final int port;
    private final Process process;
    private final Thread killOnExit;

    private StandaloneArtemis(Path instance, int port, Process process) {
        this.instance = instance;
        this.port = port;
        this.process = process;
        this.killOnExit = new Thread(this::kill, "standalone-artemis-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Creates an instance of the distribution in {@code home} under a new temp directory, matched to
     * {@code settings}, starts it on a free loopback port and waits until it is active.
     */
    static StandaloneArtemis start(Path home, MatchedBrokerSettings settings, String user, String password) throws Exception {
        Path artemis = home.resolve("bin/artemis");
        if (!Files.isRegularFile(artemis)) {
            throw new IllegalArgumentException("no Artemis distribution at " + home + " (bin/artemis missing): "
                    + "build with -Pstandalone-artemis, which unpacks it into target/standalone-artemis");
        }
        Path instance = Files.createTempDirectory("caravan-bench-artemis-").resolve("instance");
        run(List.of("bash", artemis.toString(), "create", instance.toString(),
                "--user", user, "--password", password, "--require-login", "--no-web", "--silent",
                journalFlag(settings.core().get("journal-type")), "--no-autotune",
                "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor",
                "--host", "127.0.0.1", "--name", "standalone"), instance.getParent().resolve("create.log"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path brokerXml = instance.resolve("etc/broker.xml");
        Files.writeString(brokerXml, settings.apply(Files.readString(brokerXml, StandardCharsets.UTF_8), port), StandardCharsets.UTF_8);
        Files.createDirectories(instance.resolve("log"));
        ProcessBuilder pb = new ProcessBuilder("bash", instance.resolve("bin/artemis").toString(), "run")
                .redirectErrorStream(true).redirectOutput(instance.resolve("log/console.log").toFile());
        // The benchmark's own JDK on both sides; JAVA_ARGS unset, so etc/artemis.profile's options (heap) apply.
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_ARGS");
        StandaloneArtemis broker = new StandaloneArtemis(instance, port, pb.start());
        try {
            broker.awaitActive();
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static String journalFlag(String type) {
        return switch (type) {
            case "NIO" -> "--nio";
            case "ASYNCIO" -> "--aio";
            case "MAPPED" -> "--mapped";
            default -> throw new IllegalArgumentException("journal type " + type);
        };
    }

    private static void run(List<String> command, Path log) throws Exception {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + log + ":\n" + Files.readString(log));
        }
    }

    private void awaitActive() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Path log = instance.resolve("log/console.log");
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log) : "";
            if (out.contains("AMQ221007")) {   // "Server is now active"
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("standalone Artemis exited with " + process.exitValue() + ":\n" + out);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("standalone Artemis not active after " + START_TIMEOUT + ": see " + log);
    }

    int port() {
        return port;
    }

    Path instance() {
        return instance;
    }

    /** CPU time the broker process has used so far, in ns (Linux: from /proc). */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos)
                .orElseThrow(() -> new IllegalStateException("the broker process' CPU time is not readable"));
    }

    /** The broker's JVM options as {@code etc/artemis.profile} gives them (its heap, -Xms/-Xmx). */
    String javaArgs() throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*JAVA_ARGS=\"([^\"]*)\"").matcher(Files.readString(instance.resolve("etc/artemis.profile")));
        return m.find() ? m.group(1).trim() : "?";
    }

    /** The broker's console lines that say which journal, acceptor and limits it runs with. */
    List<String> startupFacts() throws IOException {
        List<String> facts = new ArrayList<>();
        for (String line : Files.readAllLines(instance.resolve("log/console.log"))) {
            if (line.matches(".*(AMQ221013|AMQ221020|AMQ221012|AMQ221034|AMQ222018|AMQ221001|AMQ224|Heap|heap).*")) {
                facts.add(line.trim());
            }
        }
        return facts;
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook is running or has run: nothing left to remove
        }
        deleteQuietly(instance.getParent());
    }

    /** SIGTERM (Artemis stops cleanly), then SIGKILL after 20 s; the process and anything it started. */
    private void kill() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind costs nothing but disk
        }
    }
}
