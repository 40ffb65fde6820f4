package dev.caravan.bench;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.RoutingProperties;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * One workflow-aware placement decision with 64 engines and 100,000 live workflows (target p99 at
 * most 50 us). Each request carries a ~3 KB prompt (a 2 KB system prompt shared by all workflows plus
 * a per-workflow part), so the prefix-index probe is part of the measured cost; engine loads are
 * varied so the bounded-load and cost computations do real work.
 *
 * <p>Run (from the project root):
 * <pre>
 * mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test-cp.txt) dev.caravan.bench.PlacementBenchmark
 * </pre>
 * The main method runs one fork, 3 x 2 s warm-up and 5 x 2 s measurement in {@code Mode.SampleTime},
 * which reports p50/p99/p99.9 in microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlacementBenchmark {

    static final int ENGINES = 64;
    static final int WORKFLOWS = 100_000;

    PlacementFactory factory;
    PlacementPolicy policy;
    List<Engine> engines;
    PlacementRequest[] requests;

    /** Builds the placement core as configured by default, with room for {@code workflows}. */
    static PlacementFactory newFactory(int workflows) {
        RoutingProperties rp = new RoutingProperties();
        WorkflowSupportProperties wp = new WorkflowSupportProperties();
        wp.setMaxWorkflows(workflows);
        wp.setTtl(Duration.ofHours(1));
        return new PlacementFactory(rp, wp, new EngineRegistry(), Clock.systemUTC());
    }

    static List<Engine> newEngines(int n) {
        List<Engine> es = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Engine e = new Engine("engine-" + i, URI.create("http://10.0.0." + i + ":8000"), Set.of(), Map.of(), true);
            e.markHealthy(true);
            e.reportedLoad(8 + i % 5, i % 3, 0.3 + (i % 7) * 0.05);
            es.add(e);
        }
        return es;
    }

    /**
     * Every engine has answered (as a linear engine of its own speed would), so decisions rank by
     * predicted cost, the default path once a gateway has served a few streamed answers.
     */
    static void warmCostModels(PlacementFactory factory, List<Engine> engines) {
        if (factory.costModels() == null) return;
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < engines.size(); i++) {
            var m = factory.costModels().of(engines.get(i).id());
            double speed = 1 + (i % 4) * 0.25;
            for (int k = 0; k < 32; k++) {
                int others = random.nextInt(16);
                double tokens = random.nextInt(4000);
                double stretch = 1 + others / 15.0;
                m.learn(tokens, others, random.nextInt(3), random.nextInt(3000), (0.03 + 0.25e-3 * tokens) * stretch * speed,
                        0.012 * stretch * speed * 63, 64, random.nextInt(2000));
            }
        }
    }

    static String systemPrompt() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 2048) sb.append("You are agent of a multi-step research workflow. Be precise. ");
        return sb.toString();
    }

    /** Request {@code i}: workflow i's agent, prompt = shared system prompt + workflow-specific context. */
    static PlacementRequest request(int i, String system) {
        String wf = "wf-" + Integer.toHexString(0x100000 + i) + "-7c1e";
        WorkflowMetadata md = new WorkflowMetadata(wf, "agent-" + (i % 4), null, 1.0, ContextSharingStrategy.AUTO, Map.of());
        String prompt = system + "\nTask " + i + ": " + "summarise the findings of step ".repeat(30) + i;
        return new PlacementRequest("req-" + i, "m", prompt, md, null, Set.of());
    }

    @Setup(Level.Trial)
    public void setup() {
        factory = newFactory(WORKFLOWS);
        engines = newEngines(ENGINES);
        policy = factory.workflowPolicy();
        warmCostModels(factory, engines);
        String system = systemPrompt();
        requests = new PlacementRequest[WORKFLOWS];
        for (int i = 0; i < WORKFLOWS; i++) {
            requests[i] = request(i, system);
            PlacementDecision d = policy.place(requests[i], engines);
            policy.onRouted(requests[i], d.engine());
        }
    }

    @Benchmark
    public PlacementDecision place() {
        PlacementRequest r = requests[ThreadLocalRandom.current().nextInt(WORKFLOWS)];
        return policy.place(r, engines);
    }

    @Benchmark
    public PlacementDecision placeAndLearn() {
        PlacementRequest r = requests[ThreadLocalRandom.current().nextInt(WORKFLOWS)];
        PlacementDecision d = policy.place(r, engines);
        policy.onRouted(r, d.engine());
        return d;
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(PlacementBenchmark.class.getSimpleName()).build()).run();
    }
}
