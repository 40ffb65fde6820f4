package dev.caravan.placement.policy;

import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.cost.EngineCostModels;
import dev.caravan.placement.prefix.PrefixIndex;
import dev.caravan.workflows.HomeCounts;
import dev.caravan.workflows.LineageTracker;
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
 *           forwarder isolates the cache with {@link PlacementRequest#cacheSalt}.
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
    private final CostPick pick;
    private final RendezvousHome rendezvous;
    private final SpillHysteresis hysteresis;
    private final int broadcastK;
    private final double homeEpsilon;

    /**
     * @param homeEpsilon slack of the bound on workflows homed per engine when a new home is chosen
     *                    ({@link RendezvousHome#chooseHome}); negative turns that bound off, so every
     *                    replica picks the same first home (pure rendezvous with bounded in-flight load)
     * @param costs       the engines' learnt costs, or null to decide by {@link LoadScore} and the
     *                    bounded-load rule alone
     */
    public WorkflowAwarePlacement(WorkflowRegistry registry, EngineRegistry engines, PrefixIndex index,
                                  LineageTracker lineage, LoadScore score, RendezvousHome rendezvous,
                                  SpillHysteresis hysteresis, int broadcastK, double homeEpsilon,
                                  EngineCostModels costs) {
        if (broadcastK < 1) throw new IllegalArgumentException("broadcastK must be >= 1");
        this.registry = registry;
        this.engines = engines;
        this.index = index;
        this.lineage = lineage;
        this.pick = new CostPick(score, rendezvous, PredictedCost.of(costs, index));
        this.rendezvous = rendezvous;
        this.hysteresis = hysteresis;
        this.broadcastK = broadcastK;
        this.homeEpsilon = homeEpsilon;
        // Lineage entries of an ended workflow's latest requests go with it; older ones age out by TTL.
        registry.addStateEndListener(st -> lineage.forget(st.recentRequestIds()));
    }

    @Override
    public String name() { return NAME; }

    /**
     * Decides first ({@link #plan}, which reads the workflow's state and changes nothing), then carries
     * out what the decision changes about the workflow ({@link #carryOut}: its first home, a move, the
     * run of spills).
     */
    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        if (!request.inWorkflow()) {
            return PrefixAwarePlacement.place(request, candidates, index, pick);
        }
        WorkflowState st = registry.touch(request.workflow()); // tracked, whatever is decided below
        long now = registry.nowMillis();
        return carryOut(plan(request, candidates, st, now), request, candidates, st, now);
    }

    /** What a decision changes about the workflow's home. */
    enum HomeChange {
        /** Nothing. */
        NONE,
        /** The first home; the request follows the home that wins if a concurrent request set another. */
        ASSIGN,
        /** The first home unless a concurrent request set one; the decision stands either way (broadcast). */
        CLAIM,
        /** The home moves to {@code to}, which is missing from the candidates (failover). */
        MOVE,
        /** Served at home: the run of spills, if any, is over. */
        SERVED_AT_HOME,
        /** The home is overloaded and the request alone goes elsewhere: one more spill of the run. */
        SPILL,
        /** The overload persists: one more spill, and the home moves to {@code to}. */
        SPILL_AND_MOVE,
        /** Waiting on the home costs more than computing the context at {@code to}: a secondary home. */
        SPREAD
    }

    /** A decision and what it changes: {@code to} is the engine a home change names. */
    record HomePlan(PlacementDecision decision, HomeChange change, Engine to) {
        static HomePlan only(PlacementDecision decision) { return new HomePlan(decision, HomeChange.NONE, null); }
    }

    HomePlan plan(PlacementRequest request, List<Engine> candidates, WorkflowState st, long now) {
        WorkflowMetadata md = request.workflow();
        ContextSharingStrategy strategy = md.contextSharingStrategy();
        if (strategy == ContextSharingStrategy.NONE) {
            PrefixMatch unmatched = PrefixMatch.unmatched(request.promptText());
            int i = pick.best(candidates, unmatched);
            return HomePlan.only(pick.decide(candidates, i, unmatched, PlacementReason.LEAST_LOADED));
        }
        if (md.parentRequestId() != null) {
            Engine parent = find(candidates, lineage.engineOf(md.parentRequestId()));
            if (parent != null) {
                PrefixMatch match = PrefixMatch.of(index, request, candidates);
                // Predicting: the parent's engine unless another is clearly cheaper; the parent's answer is
                // cached there and not in the index, so a close call stays.
                boolean stay = pick.predicts()
                        ? pick.noneClearlyCheaper(parent, candidates, match)
                        : !pick.overloaded(parent, candidates) || pick.cheapestWithPrefix(parent, candidates, match);
                if (stay) {
                    return HomePlan.only(pick.decide(parent, match.at(candidates.indexOf(parent)), match,
                            PlacementReason.LINEAGE));
                }
            }
        }
        switch (strategy) {
            case BROADCAST:
                return broadcast(request, candidates, st);
            case SELECTIVE:
                if (!sharesHome(md)) return HomePlan.only(PrefixAwarePlacement.place(request, candidates, index, pick));
                return home(request, candidates, st, st.home(), now);
            default:
                return home(request, candidates, st, st.home(), now);
        }
    }

    private PlacementDecision carryOut(HomePlan plan, PlacementRequest request, List<Engine> candidates,
                                       WorkflowState st, long now) {
        switch (plan.change()) {
            case ASSIGN: {
                String agreed = st.assignHomeIfAbsent(plan.to().id());
                Engine e = agreed.equals(plan.to().id()) ? plan.to() : find(candidates, agreed);
                // A saturated new home still becomes the home (replicas must agree on it), but this first
                // request goes by the home rules below rather than wait behind a full engine.
                if (e == plan.to() && !pick.saturated(e)) return plan.decision();
                if (e != null && !pick.saturated(e)) return new PlacementDecision(e, PlacementReason.AFFINITY);
                // saturated, or a concurrent request picked an engine that is not our candidate; the home
                // is set now, so this plan never assigns again
                return carryOut(home(request, candidates, st, agreed, now), request, candidates, st, now);
            }
            case CLAIM:
                st.assignHomeIfAbsent(plan.to().id());
                break;
            case MOVE:
                st.moveHome(plan.to().id(), PlacementReason.FAILOVER.label(), now);
                break;
            case SERVED_AT_HOME:
                st.servedAtHome();
                break;
            case SPILL:
                st.recordSpill(now);
                break;
            case SPILL_AND_MOVE:
                st.recordSpill(now);
                st.moveHome(plan.to().id(), PlacementReason.SPILL.label(), now);
                break;
            case SPREAD:
                st.addSecondaryHome(plan.to().id());
                break;
            default:
                break;
        }
        return plan.decision();
    }

    private HomePlan home(PlacementRequest request, List<Engine> candidates, WorkflowState st, String homeId, long now) {
        long key = RendezvousHome.keyHash(st.id());
        if (homeId == null) {
            PrefixMatch match = matchIfPredicting(request, candidates);
            Engine chosen = newHome(key, candidates, null, match);
            return new HomePlan(decideNewHome(chosen, candidates, match, PlacementReason.AFFINITY),
                    HomeChange.ASSIGN, chosen);
        }
        Engine home = find(candidates, homeId);
        if (home == null) {
            if (servesOtherModel(homeId, request)) {
                return HomePlan.only(otherModel(request, candidates, st));
            }
            PrefixMatch match = matchIfPredicting(request, candidates);
            Engine next = newHome(key, candidates, null, match);
            return new HomePlan(decideNewHome(next, candidates, match, PlacementReason.FAILOVER), HomeChange.MOVE, next);
        }
        if (pick.predicts() && !pick.saturated(home)) {
            return homeOrSpread(request, candidates, st, home);
        }
        if (!pick.predicts() && !pick.overloaded(home, candidates)) {
            return new HomePlan(new PlacementDecision(home, PlacementReason.AFFINITY), HomeChange.SERVED_AT_HOME, null);
        }
        PrefixMatch match = PrefixMatch.of(index, request, candidates);
        if (pick.cheapestWithPrefix(home, candidates, match)) {
            // Above the bound, but the cold prefill anywhere else costs more than the home's queue.
            return new HomePlan(new PlacementDecision(home, PlacementReason.AFFINITY), HomeChange.SERVED_AT_HOME, null);
        }
        long[] run = st.spillRunIfSpilled(now);
        if (hysteresis.shouldMove((int) run[0], run[1])) {
            Engine next = newHome(key, candidates, home, pick.predicts() ? match : null);
            if (next != home) {
                return new HomePlan(new PlacementDecision(next, PlacementReason.SPILL), HomeChange.SPILL_AND_MOVE, next);
            }
        }
        int i = pick.bestOtherThan(candidates, match, home);
        return new HomePlan(pick.decide(candidates, i, match, PlacementReason.SPILL), HomeChange.SPILL, null);
    }

    /**
     * With learnt costs and a home that can take the request: the home, unless another engine's predicted
     * cost is lower, counting the prefill of what that engine lacks against the home's queue and the
     * slowdown the request would cause there. A secondary home is costed as holding at least what the
     * home holds (its copy may not be in the index yet while its first request still runs). Choosing
     * another engine makes it a secondary home: later siblings find the context there too.
     */
    private HomePlan homeOrSpread(PlacementRequest request, List<Engine> candidates, WorkflowState st, Engine home) {
        PrefixMatch match = PrefixMatch.of(index, request, candidates);
        int h = candidates.indexOf(home);
        String[] secondary = st.secondaryHomes();
        double bar = pick.leaveBelow(home, pick.cost(home, h, match));
        int best = h;
        int bestMatched = match.at(h);
        double bestCost = Double.MAX_VALUE;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Engine e = candidates.get(i);
            if (i == h || pick.saturated(e)) continue;
            int matched = contains(secondary, e.id()) ? Math.max(match.at(i), match.at(h)) : match.at(i);
            double c = pick.costHolding(e, matched, match);
            if (c < bestCost && c < bar) {
                best = i;
                bestMatched = matched;
                bestCost = c;
            }
        }
        if (best == h) {
            return new HomePlan(pick.decide(home, bestMatched, match, PlacementReason.AFFINITY),
                    HomeChange.SERVED_AT_HOME, null);
        }
        Engine to = candidates.get(best);
        return new HomePlan(pick.decide(to, bestMatched, match, PlacementReason.SPREAD), HomeChange.SPREAD, to);
    }

    private static boolean contains(String[] ids, String id) {
        for (String s : ids) if (s.equals(id)) return true;
        return false;
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
        if (!pick.saturated(e)) {
            return new PlacementDecision(e, PlacementReason.AFFINITY);
        }
        int i = pick.bestOtherThan(candidates, PrefixMatch.of(index, request, candidates), e);
        return new PlacementDecision(candidates.get(i), PlacementReason.SPILL);
    }

    /**
     * A new home, within the bound on workflows homed per engine: with learnt costs the engine where the
     * request's predicted cost is least (a slow GPU or a long prefill queue counts, not only the number
     * of requests), its bounds in proportion to each engine's learnt speed (a GPU twice as fast is home
     * to twice the workflows), else the least loaded ({@link RendezvousHome#chooseHome}).
     *
     * @param match the prompt's prefix match when predicting, else null
     */
    private Engine newHome(long key, List<Engine> candidates, Engine skip, PrefixMatch match) {
        if (homeEpsilon < 0) return rendezvous.choose(key, candidates, skip);
        HomeCounts homes = registry.homes();
        return rendezvous.chooseHome(key, candidates, skip, e -> homes.on(e.id()), homeEpsilon,
                match == null ? null : i -> pick.cost(candidates.get(i), i, match),
                match == null ? null : i -> pick.capacity(candidates.get(i)));
    }

    /** The prompt's prefix match when learnt costs decide (a new home is chosen by them), else null. */
    private PrefixMatch matchIfPredicting(PlacementRequest request, List<Engine> candidates) {
        return pick.predicts() ? PrefixMatch.of(index, request, candidates) : null;
    }

    private PlacementDecision decideNewHome(Engine e, List<Engine> candidates, PrefixMatch match, PlacementReason reason) {
        return match == null ? new PlacementDecision(e, reason) : pick.decide(candidates, candidates.indexOf(e), match, reason);
    }

    private HomePlan broadcast(PlacementRequest request, List<Engine> candidates, WorkflowState st) {
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
        HomeChange change = HomeChange.NONE;
        if (homeId == null) change = HomeChange.CLAIM;
        else if (!homeId.equals(first.id()) && find(candidates, homeId) == null && !servesOtherModel(homeId, request)) {
            change = HomeChange.MOVE;
        }
        PrefixMatch match = PrefixMatch.of(index, request, candidates);
        int i = pick.bestAmong(candidates, match, top);
        PlacementDecision decision = !pick.overloaded(candidates.get(i), candidates)
                ? new PlacementDecision(candidates.get(i), PlacementReason.AFFINITY)
                : new PlacementDecision(candidates.get(pick.best(candidates, match)), PlacementReason.SPILL);
        return new HomePlan(decision, change, first);
    }

    @Override
    public void onRouted(PlacementRequest request, Engine engine) {
        WorkflowMetadata md = request.workflow();
        String salt = request.cacheSalt();
        // A salted request's cache is invisible to other requests: nothing to match, but it takes room.
        if (salt == null) index.record(request.promptText(), engine);
        else index.recordIsolated(request.promptText(), engine, salt);
        lineage.record(request.requestId(), engine.id());
        if (md != null && md.workflowId() != null) {
            WorkflowState st = registry.get(md.workflowId());
            if (st != null) st.recordRouted(request.requestId(), md.agentId(), engine.id());
        }
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
