package dev.caravan.bench;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.RequestOutcome;
import dev.caravan.engines.Engine;
import dev.caravan.placement.PlacementFactory;
import java.util.List;

/**
 * Heap cost of 100,000 live workflows (target: at most 200 MiB in total): fills the registry (two
 * agents per workflow, one finished request each with statistics), the lineage tracker and the prefix
 * index through the real policy, then reports heap used after GC minus the baseline.
 *
 * <p>Run (after building the classpath as in {@link PlacementBenchmark}):
 * <pre>
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/test-cp.txt) dev.caravan.bench.PlacementMemory
 * </pre>
 * The prefix index allocates its whole budget up front (default 1,048,576 entries, 32 MiB), so that
 * part is the bound, not the fill level.
 */
public final class PlacementMemory {

    public static void main(String[] args) {
        int workflows = args.length > 0 ? Integer.parseInt(args[0]) : PlacementBenchmark.WORKFLOWS;
        List<Engine> engines = PlacementBenchmark.newEngines(PlacementBenchmark.ENGINES);
        String system = PlacementBenchmark.systemPrompt();
        PlacementRequest[] reqs = new PlacementRequest[workflows];
        for (int i = 0; i < workflows; i++) reqs[i] = PlacementBenchmark.request(i, system);
        long base = usedAfterGc();

        PlacementFactory f = PlacementBenchmark.newFactory(workflows);
        PlacementPolicy p = f.workflowPolicy();
        long empty = usedAfterGc();
        for (int i = 0; i < workflows; i++) {
            PlacementDecision d = p.place(reqs[i], engines);
            p.onRouted(reqs[i], d.engine());
            f.registry().onOutcome(new RequestOutcome(reqs[i], d, d.engine(), 200, "cmpl-" + i, 700, 512, 50,
                    40_000_000L, 900_000_000L, false, null));
            // a second agent of the same workflow
            PlacementRequest second = new PlacementRequest(reqs[i].requestId() + "-b", "m", reqs[i].promptText(),
                    new dev.caravan.core.WorkflowMetadata(reqs[i].workflow().workflowId(), "reviewer",
                            reqs[i].requestId(), 1.0, dev.caravan.core.ContextSharingStrategy.AUTO, java.util.Map.of()), null, java.util.Set.of());
            PlacementDecision d2 = p.place(second, engines);
            p.onRouted(second, d2.engine());
            f.registry().onOutcome(new RequestOutcome(second, d2, d2.engine(), 200, null, 720, 700, 40,
                    15_000_000L, 800_000_000L, false, null));
        }
        long full = usedAfterGc();
        long total = full - base;
        System.out.printf("workflows=%d live=%d prefixEntries=%d/%d lineage=%d%n", workflows, f.registry().size(),
                f.prefixIndex().size(), f.prefixIndex().capacity(), f.lineage().size());
        System.out.printf("prefix index arrays (fixed budget): %.1f MiB%n", f.prefixIndex().footprintBytes() / 1048576.0);
        System.out.printf("empty core: %.1f MiB; filled: %.1f MiB total, %.0f bytes per workflow (beyond empty core)%n",
                (empty - base) / 1048576.0, total / 1048576.0, (double) (full - empty) / workflows);
        System.out.println(f.registry().stats());
        if (reqs.length == 0 || f.registry().size() < 0) System.out.println(); // keep reqs reachable
    }

    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try { Thread.sleep(100); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
