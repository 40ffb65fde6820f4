package dev.caravan.routing;

import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.workflows.HomeCounts;
import dev.caravan.workflows.WorkflowMetadata;
import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowState;
import java.util.Collection;
import java.util.List;

/**
 * {@code workflow-aware}: the workflow is the unit of placement.
 *
 * <p>Order of decisions for a request with {@code workflow_metadata}:
 * <ol>
 *   <li><b>Lineage</b> — a request whose {@code parent_request_id} names a request this gateway
 *       routed goes to the parent's engine if it is a candidate and not overloaded ({@code LINEAGE}):
 *       the parent's prompt and answer are in that engine's KV cache before any prefix is indexed.
 *   <li>By {@code context_sharing_strategy}:
 *     <ul>
 *       <li>{@code auto}: the workflow's <b>home</b>. The first request picks it by rendezvous hashing
 *           of the workflow id over the candidates with bounded load, so independent gateway replicas
 *           agree ({@code AFFINITY}). If the home is missing from the candidates (unhealthy or
 *           excluded) the workflow moves to its next rendezvous choice ({@code FAILOVER}, recorded).
 *           If the home is overloaded (bounded load or saturated) the request alone spills to the
 *           best engine by {@link LoadScore} ({@code SPILL}); the home moves only when
 *           {@link SpillHysteresis} says the overload persists.
 *       <li>{@code broadcast}: the workflow spreads over its k top rendezvous engines; each request
 *           takes the best-scored of them that is within bounds ({@code AFFINITY}), else spills.
 *       <li>{@code selective}: agents listed in {@code metadata.share_with} use the home as in auto;
 *           other agents are placed like plain requests.
 *       <li>{@code none}: no affinity and no lineage, pure load balancing ({@code LEAST_LOADED}); the
 *           forwarder isolates the cache with {@link #cacheSalt}.
 *     </ul>
 * </ol>
 * Requests without workflow metadata go where their prefix is unless load says otherwise
 * ({@code PREFIX} or {@code LEAST_LOADED}), as in {@link PrefixAwarePlacement}.
 *
 * <p>Cost per request: one registry touch (a short lock), one prefix-index probe, and O(engines)
 * arithmetic; no lock is ever held across I/O.
 */
public final class WorkflowAwarePlacement implements PlacementPolicy {

    public static final String NAME = "workflow-aware";

    private final WorkflowRegistry registry;
    /** All engines, to tell a home that is dead from one that serves another model. */
    private final EngineRegistry engines;
    private final PrefixIndex index;
    private final LineageTracker lineage;
    private final LoadScore score;
    private final RendezvousHome rendezvous;
    private final SpillHysteresis hysteresis;
    private final int broadcastK;
    private final double homeEpsilon;

    /**
     * @param homeEpsilon slack of the bound on workflows homed per engine when a new home is chosen
     *                    ({@link RendezvousHome#chooseHome}); negative turns that bound off, so every
     *                    replica picks the same first home (pure rendezvous with bounded in-flight load)
     */
    public WorkflowAwarePlacement(WorkflowRegistry registry, EngineRegistry engines, PrefixIndex index,
                                  LineageTracker lineage, LoadScore score, RendezvousHome rendezvous,
                                  SpillHysteresis hysteresis, int broadcastK, double homeEpsilon) {
        if (broadcastK < 1) throw new IllegalArgumentException("broadcastK must be >= 1");
        this.registry = registry;
        this.engines = engines;
        this.index = index;
        this.lineage = lineage;
        this.score = score;
        this.rendezvous = rendezvous;
        this.hysteresis = hysteresis;
        this.broadcastK = broadcastK;
        this.homeEpsilon = homeEpsilon;
        // Lineage entries of an ended workflow's latest requests go with it; older ones age out by TTL.
        registry.addStateEndListener(st -> lineage.forget(st.recentRequestIds()));
    }

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        WorkflowMetadata md = request.workflow();
        if (md == null || md.workflowId() == null) {
            return PrefixAwarePlacement.place(request, candidates, index, score, rendezvous);
        }
        ContextSharingStrategy strategy = ContextSharingStrategy.parse(md.contextSharingStrategy());
        WorkflowState st = registry.touch(md);

        if (strategy == ContextSharingStrategy.NONE) {
            int i = CostPick.best(candidates, null, 0, null, null, null, score, rendezvous);
            return new PlacementDecision(candidates.get(i), PlacementReason.LEAST_LOADED);
        }
        if (md.parentRequestId() != null) {
            Engine parent = find(candidates, lineage.engineOf(md.parentRequestId()));
            if (parent != null && (!CostPick.overloaded(parent, candidates, score, rendezvous)
                    || cheapestWithPrefix(request, parent, candidates))) {
                return new PlacementDecision(parent, PlacementReason.LINEAGE);
            }
        }
        switch (strategy) {
            case BROADCAST:
                return broadcast(request, candidates, st);
            case SELECTIVE:
                if (!sharesHome(md)) return PrefixAwarePlacement.place(request, candidates, index, score, rendezvous);
                return home(request, candidates, st);
            default:
                return home(request, candidates, st);
        }
    }

    private PlacementDecision home(PlacementRequest request, List<Engine> candidates, WorkflowState st) {
        long key = RendezvousHome.keyHash(st.id());
        String homeId = st.home();
        if (homeId == null) {
            Engine chosen = newHome(key, candidates, null);
            String agreed = st.assignHomeIfAbsent(chosen.id());
            Engine e = agreed.equals(chosen.id()) ? chosen : find(candidates, agreed);
            // A saturated new home still becomes the home (replicas must agree on it), but this
            // first request spills below rather than wait behind a full engine.
            if (e != null && !score.saturated(e)) return new PlacementDecision(e, PlacementReason.AFFINITY);
            homeId = agreed; // saturated, or a concurrent request picked an engine that is not our candidate
        }
        Engine home = find(candidates, homeId);
        long now = registry.nowMillis();
        if (home == null) {
            if (servesOtherModel(homeId, request)) {
                return otherModel(request, candidates, st);
            }
            Engine next = newHome(key, candidates, null);
            st.moveHome(next.id(), PlacementReason.FAILOVER.label(), now);
            return new PlacementDecision(next, PlacementReason.FAILOVER);
        }
        if (!CostPick.overloaded(home, candidates, score, rendezvous)) {
            st.servedAtHome();
            return new PlacementDecision(home, PlacementReason.AFFINITY);
        }
        int[] matched = new int[candidates.size()];
        int blocks = index.match(request.promptText(), candidates, matched);
        if (CostPick.cheapestWithPrefix(home, candidates, matched, blocks, score)) {
            // Above the bound, but the cold prefill anywhere else costs more than the home's queue.
            st.servedAtHome();
            return new PlacementDecision(home, PlacementReason.AFFINITY);
        }
        long[] run = st.recordSpill(now);
        if (hysteresis.shouldMove((int) run[0], run[1])) {
            Engine next = newHome(key, candidates, home);
            if (next != home) {
                st.moveHome(next.id(), PlacementReason.SPILL.label(), now);
                return new PlacementDecision(next, PlacementReason.SPILL);
            }
        }
        int i = CostPick.best(candidates, matched, blocks, null, home, null, score, rendezvous);
        return new PlacementDecision(candidates.get(i), PlacementReason.SPILL);
    }

    /**
     * Whether the home is missing from the candidates only because it serves other models: the agents
     * of one workflow may call different models (a planner on a large one, workers on a small one),
     * each model on its own engines. Then the home is healthy and stays; an unhealthy or excluded home
     * is a failover.
     */
    private boolean servesOtherModel(String homeId, PlacementRequest request) {
        Engine h = engines.byId(homeId).orElse(null);
        return h != null && h.isHealthy() && !request.excluded().contains(homeId) && !h.serves(request.model());
    }

    /**
     * A request for a model the home does not serve: rendezvous on the workflow and the model over that
     * model's engines (with bounded load), so these requests keep one engine of their own, the same on
     * every replica, without moving the home.
     */
    private PlacementDecision otherModel(PlacementRequest request, List<Engine> candidates, WorkflowState st) {
        // The workflow's and the model's hashes combined, rather than hashing a concatenated key string.
        long key = RendezvousHome.keyHash(st.id()) * 0x9E3779B97F4A7C15L + RendezvousHome.keyHash(request.model());
        Engine e = rendezvous.choose(key, candidates);
        if (!score.saturated(e)) {
            return new PlacementDecision(e, PlacementReason.AFFINITY);
        }
        int[] matched = new int[candidates.size()];
        int blocks = index.match(request.promptText(), candidates, matched);
        int i = CostPick.best(candidates, matched, blocks, null, e, null, score, rendezvous);
        return new PlacementDecision(candidates.get(i), PlacementReason.SPILL);
    }

    private Engine newHome(long key, List<Engine> candidates, Engine skip) {
        if (homeEpsilon < 0) return rendezvous.choose(key, candidates, skip);
        HomeCounts homes = registry.homes();
        return rendezvous.chooseHome(key, candidates, skip, e -> homes.on(e.id()), homeEpsilon);
    }

    private PlacementDecision broadcast(PlacementRequest request, List<Engine> candidates, WorkflowState st) {
        long key = RendezvousHome.keyHash(st.id());
        int n = candidates.size();
        int k = Math.min(broadcastK, n);
        // Top-k candidates by rendezvous weight: insertion into a k-sized array (k is small).
        int[] top = new int[k];
        long[] w = new long[k];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            long wi = rendezvous.weight(key, candidates.get(i));
            int pos = filled;
            while (pos > 0 && Long.compareUnsigned(wi, w[pos - 1]) > 0) pos--;
            if (pos >= k) continue;
            int last = Math.min(filled, k - 1);
            for (int j = last; j > pos; j--) { top[j] = top[j - 1]; w[j] = w[j - 1]; }
            top[pos] = i;
            w[pos] = wi;
            if (filled < k) filled++;
        }
        Engine first = candidates.get(top[0]);
        String homeId = st.home();
        if (homeId == null) st.assignHomeIfAbsent(first.id());
        else if (!homeId.equals(first.id()) && find(candidates, homeId) == null && !servesOtherModel(homeId, request)) {
            st.moveHome(first.id(), PlacementReason.FAILOVER.label(), registry.nowMillis());
        }
        int[] matched = new int[n];
        int blocks = index.match(request.promptText(), candidates, matched);
        int i = CostPick.best(candidates, matched, blocks, null, null, top, score, rendezvous);
        if (!CostPick.overloaded(candidates.get(i), candidates, score, rendezvous)) {
            return new PlacementDecision(candidates.get(i), PlacementReason.AFFINITY);
        }
        int j = CostPick.best(candidates, matched, blocks, null, null, null, score, rendezvous);
        return new PlacementDecision(candidates.get(j), PlacementReason.SPILL);
    }

    @Override
    public void onRouted(PlacementRequest request, Engine engine) {
        WorkflowMetadata md = request.workflow();
        boolean salted = needsCacheSalt(request);
        // A salted request's cache is invisible to other requests: nothing to match, but it takes room.
        if (!salted) index.record(request.promptText(), engine);
        else index.recordIsolated(request.promptText(), engine, cacheSalt(request));
        lineage.record(request.requestId(), engine.id());
        if (md != null && md.workflowId() != null) {
            WorkflowState st = registry.get(md.workflowId());
            if (st != null) st.recordRouted(request.requestId(), md.agentId(), engine.id());
        }
    }

    /** Whether the forwarder must set vLLM's {@code cache_salt} (strategy {@code none}). */
    public static boolean needsCacheSalt(PlacementRequest request) {
        WorkflowMetadata md = request.workflow();
        return md != null && md.workflowId() != null && "none".equalsIgnoreCase(
                md.contextSharingStrategy() == null ? "" : md.contextSharingStrategy().trim());
    }

    /** The {@code cache_salt} to send (the workflow id), or null when the request needs none. */
    public static String cacheSalt(PlacementRequest request) {
        return needsCacheSalt(request) ? request.workflow().workflowId() : null;
    }

    /** Whether the agent is listed in {@code metadata.share_with} (a list, an array or a comma-separated string). */
    static boolean sharesHome(WorkflowMetadata md) {
        String agent = md.agentId();
        if (agent == null || md.metadata() == null) return false;
        Object v = md.metadata().get("share_with");
        if (v instanceof Collection<?> c) {
            for (Object o : c) if (agent.equals(String.valueOf(o))) return true;
            return false;
        }
        if (v instanceof Object[] arr) {
            for (Object o : arr) if (agent.equals(String.valueOf(o))) return true;
            return false;
        }
        if (v instanceof String s) {
            for (String part : s.split(",")) if (agent.equals(part.trim())) return true;
        }
        return false;
    }

    private boolean cheapestWithPrefix(PlacementRequest request, Engine e, List<Engine> candidates) {
        int[] matched = new int[candidates.size()];
        int blocks = index.match(request.promptText(), candidates, matched);
        return CostPick.cheapestWithPrefix(e, candidates, matched, blocks, score);
    }

    private static Engine find(List<Engine> candidates, String id) {
        if (id == null) return null;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            if (candidates.get(i).id().equals(id)) return candidates.get(i);
        }
        return null;
    }

    public WorkflowRegistry registry() { return registry; }
    public PrefixIndex prefixIndex() { return index; }
    public LineageTracker lineage() { return lineage; }
}
