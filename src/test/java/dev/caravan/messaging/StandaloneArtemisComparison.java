package dev.caravan.messaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.activemq.artemis.core.config.Configuration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Native AMQP 1.0 through the gateway's embedded broker side by side with a standalone Apache Artemis
 * of the same version and storage settings on the same machine (not part of the test run; issue 18's
 * ratios). Each round runs, one after the other:
 * <ol>
 *   <li><b>embedded</b>: {@link MessagingBenchmark}'s REST send+receive and AMQP phases through one
 *       gateway started before the warm-up runs and kept running, on new queues each run (REST / AMQP from
 *       the same run is ratio 2); {@code -Dbench.fresh-gateway=true} starts a fresh gateway and journal
 *       per run instead;</li>
 *   <li><b>standalone</b>: the same AMQP client ({@link MessagingBenchmark#amqpThroughput}) against the
 *       standalone broker's process, on a new queue.</li>
 * </ol>
 * The standalone instance is created once from the Artemis distribution ({@link StandaloneArtemis}), with
 * the storage settings read from the first embedded broker ({@link MatchedBrokerSettings}), started, warmed
 * up with as many discarded AMQP runs as the gateway JVM gets warm-up runs, and kept running (idle) through
 * the embedded runs, as the benchmark JVM keeps its JIT-compiled code from run to run. It is stopped at the
 * end, on failure too. Run (docs/benchmarks.md, "Messaging"):
 * {@code mvn -q -B -Pstandalone-artemis test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec
 * -Dexec.executable=java -Dexec.classpathScope=test "-Dexec.args=-Xmx1g
 * -Dbench.standalone-artemis=target/standalone-artemis/apache-artemis-2.40.0 -Dbench.phases=rest,amqp
 * -cp %classpath dev.caravan.messaging.StandaloneArtemisComparison"}
 */
public final class StandaloneArtemisComparison {

    private StandaloneArtemisComparison() {
    }

    /** One round: the embedded run's figures and the standalone run's. */
    private record Round(MessagingBenchmark.Run embedded, double standalone, double standaloneCpu, String standaloneLoad,
                         double standaloneIdleCpuMs) {
        double ratio() {
            return embedded.amqp() / standalone;
        }

        double restOverAmqp() {
            return embedded.rest() / embedded.amqp();
        }
    }

    public static void main(String[] args) throws Exception {
        MessagingBenchmark.prepareJvm();
        String home = System.getProperty("bench.standalone-artemis");
        if (home == null || home.isBlank()) {
            throw new IllegalArgumentException("-Dbench.standalone-artemis=<Artemis home> is required "
                    + "(mvn -Pstandalone-artemis unpacks it into target/standalone-artemis/apache-artemis-<version>)");
        }
        if (!MessagingBenchmark.PHASES.contains("amqp")) {
            throw new IllegalArgumentException("-Dbench.phases must include amqp, is " + MessagingBenchmark.PHASES);
        }
        int rounds = Integer.getInteger("bench.rounds", 3);
        int warmups = Integer.getInteger("bench.warmup-runs", 1);
        List<String> gatewayArgs = Arrays.asList(args);
        System.out.printf("cores=%d java=%s (%s) commonPool=%d load=%s phases=%s rounds=%d warm-up runs=%d amqp messages=%d producers=%d; gateway JVM max heap %d MiB; gateway args %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), System.getProperty("java.home"),
                java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), MessagingBenchmark.loadAverage(), MessagingBenchmark.PHASES,
                rounds, warmups, MessagingBenchmark.AMQP_MESSAGES, MessagingBenchmark.AMQP_PRODUCERS,
                Runtime.getRuntime().maxMemory() / 1048576, gatewayArgs);

        // Both acceptors use Netty's epoll transport where it loads (Artemis' useEpoll default, set by artemis create).
        System.out.printf("gateway JVM: Netty %s, epoll available %s%n", io.netty.util.Version.identify().getOrDefault("netty-transport",
                null) == null ? "?" : io.netty.util.Version.identify().get("netty-transport").artifactVersion(), io.netty.channel.epoll.Epoll.isAvailable());
        AtomicReference<MatchedBrokerSettings> settings = new AtomicReference<>();
        Consumer<ConfigurableApplicationContext> capture = app -> {
            MatchedBrokerSettings now = MatchedBrokerSettings.of(app.getBean(Configuration.class));
            if (!settings.compareAndSet(null, now) && !settings.get().equals(now)) {
                throw new IllegalStateException("the embedded broker's settings changed between runs: " + settings.get() + " vs " + now);
            }
        };
        // One long-running gateway by default, as the standalone broker is one long-running process: both are
        // warmed up by the same number of discarded runs and then measured alternately, each run on new queues.
        // -Dbench.fresh-gateway=true starts a new gateway (and journal) for every run instead, which also
        // measures what a JVM that has started and stopped several gateways keeps of them.
        boolean fresh = Boolean.getBoolean("bench.fresh-gateway");
        MessagingBenchmark.BenchGateway gateway = null;
        List<Round> results = new ArrayList<>();
        StandaloneArtemis standalone = null;
        try {
            if (!fresh) {
                gateway = MessagingBenchmark.BenchGateway.start(gatewayArgs);
                capture.accept(gateway.app());
            }
            for (int w = 0; w < warmups; w++) {
                embeddedRun(gateway, "embedded warm-up (discarded)", gatewayArgs, capture);
            }
            if (settings.get() != null) {    // started before round 1, so every embedded run has it beside it, idle
                standalone = startStandalone(Path.of(home), settings.get(), warmups);
            }
            for (int round = 1; round <= rounds; round++) {
                long idleBefore = standalone == null ? 0 : standalone.cpuNanos();
                MessagingBenchmark.Run embedded = embeddedRun(gateway, "embedded, round " + round, gatewayArgs, capture);
                double idleCpuMs = standalone == null ? Double.NaN : (standalone.cpuNanos() - idleBefore) / 1e6;
                if (standalone == null) {
                    standalone = startStandalone(Path.of(home), settings.get(), warmups);
                }
                String loadBefore = MessagingBenchmark.loadAverage();
                System.out.printf("%n== standalone Artemis, round %d, port %d, load %s (its CPU during the embedded run before: %s)%n", round,
                        standalone.port(), loadBefore, Double.isNaN(idleCpuMs) ? "not yet started" : String.format("%.0f ms", idleCpuMs));
                MessagingBenchmark.amqpThroughput(standalone.port(), MessagingBenchmark.AMQP_MESSAGES / 4, standalone);   // warm-up
                double[] amqp = MessagingBenchmark.amqpThroughput(standalone.port(), MessagingBenchmark.AMQP_MESSAGES, standalone);
                results.add(new Round(embedded, amqp[0], amqp[1],
                        loadBefore.split(" ")[0] + "-" + MessagingBenchmark.loadAverage().split(" ")[0], idleCpuMs));
            }
        } finally {
            if (standalone != null) {
                standalone.close();
            }
            if (gateway != null) {
                gateway.close();
            }
        }
        System.out.println();
        System.out.println(fresh ? "embedded: a fresh gateway and journal for every run (-Dbench.fresh-gateway=true)"
                : "embedded: one gateway, started once, measured in every run (as the standalone broker)");
        report(results, settings.get());
        System.exit(0);
    }

    private static MessagingBenchmark.Run embeddedRun(MessagingBenchmark.BenchGateway gateway, String label, List<String> gatewayArgs,
                                                      Consumer<ConfigurableApplicationContext> capture) throws Exception {
        return gateway != null ? gateway.measure(label, 0) : MessagingBenchmark.runOnce(label, gatewayArgs, 0, capture);
    }

    private static StandaloneArtemis startStandalone(Path home, MatchedBrokerSettings settings, int warmups) throws Exception {
        long t0 = System.nanoTime();
        StandaloneArtemis broker = StandaloneArtemis.start(home, settings, "caravan", "caravan");
        System.out.printf("%n== standalone Artemis from %s, instance %s, started in %.1f s%n   JVM options (etc/artemis.profile, the distribution's default): %s%n   settings matched to the embedded broker:%n%s",
                home, broker.instance(), (System.nanoTime() - t0) / 1e9, broker.javaArgs(), settings.describe());
        broker.startupFacts().forEach(line -> System.out.println("   broker: " + line));
        for (int w = 0; w < warmups; w++) {
            System.out.println("   warm-up (discarded):");
            MessagingBenchmark.amqpThroughput(broker.port(), MessagingBenchmark.AMQP_MESSAGES / 4, broker);
            MessagingBenchmark.amqpThroughput(broker.port(), MessagingBenchmark.AMQP_MESSAGES, broker);
        }
        return broker;
    }

    private static void report(List<Round> rounds, MatchedBrokerSettings settings) {
        System.out.println();
        System.out.println("| round | embedded AMQP msgs/s | CPU ms/msg (gateway JVM) | standalone AMQP msgs/s | CPU ms/msg (client JVM + broker) | embedded / standalone | REST send+receive msgs/s | REST CPU ms/msg | REST / embedded AMQP | load embedded ; standalone | standalone CPU while idle |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            System.out.printf("| %d | %.0f | %.3f | %.0f | %.3f | %.3f | %.0f | %.2f | %.3f | %s ; %s | %s |%n", i + 1, r.embedded().amqp(), r.embedded().amqpCpu(),
                    r.standalone(), r.standaloneCpu(), r.ratio(), r.embedded().rest(), r.embedded().restCpu(), r.restOverAmqp(), r.embedded().load(),
                    r.standaloneLoad(), Double.isNaN(r.standaloneIdleCpuMs()) ? "-" : String.format("%.0f ms", r.standaloneIdleCpuMs()));
        }
        double embedded = median(rounds, r -> r.embedded().amqp());
        double standalone = median(rounds, Round::standalone);
        double rest = median(rounds, r -> r.embedded().rest());
        double embeddedCpu = median(rounds, r -> r.embedded().amqpCpu());
        double standaloneCpu = median(rounds, Round::standaloneCpu);
        double restCpu = median(rounds, r -> r.embedded().restCpu());
        System.out.printf("| median | %.0f | %.3f | %.0f | %.3f | %.3f (of pairs) | %.0f | %.2f | %.3f (of runs) | | |%n", embedded,
                embeddedCpu, standalone, standaloneCpu, median(rounds, Round::ratio), rest, restCpu, median(rounds, Round::restOverAmqp));
        System.out.println();
        System.out.printf("(1) embedded / standalone AMQP: ratio of medians %.3f, median of per-round ratios %.3f (target >= 0.9: %s)%n",
                embedded / standalone, median(rounds, Round::ratio), embedded / standalone >= 0.9 ? "met" : "missed");
        // CPU per message depends less on what else the shared cores run than msgs/s does: the same ratios
        // as messages per CPU-second.
        System.out.printf("    the same in messages per CPU-second (median CPU per message, inverted): %.3f%n", standaloneCpu / embeddedCpu);
        if (!Double.isNaN(rest)) {
            System.out.printf("(2) REST send+receive / embedded AMQP: ratio of medians %.3f, median of per-run ratios %.3f (target >= 0.4: %s)%n",
                    rest / embedded, median(rounds, Round::restOverAmqp), rest / embedded >= 0.4 ? "met" : "missed");
            System.out.printf("    the same in messages per CPU-second: %.3f%n", embeddedCpu / restCpu);
        }
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
        return MessagingBenchmark.median(rounds.stream().mapToDouble(f).toArray());
    }
}
