package dev.caravan.placement;

import dev.caravan.core.PlacementPolicy;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.placement.cost.CostPriors;
import dev.caravan.placement.cost.EngineCostModels;
import dev.caravan.placement.peers.LlmdWeightedScorersPlacement;
import dev.caravan.placement.peers.ProductionStackPrefixAwarePlacement;
import dev.caravan.placement.peers.SglangCacheAwarePlacement;
import dev.caravan.placement.policy.LeastLoadedPlacement;
import dev.caravan.placement.policy.LoadScore;
import dev.caravan.placement.policy.PlacementPolicies;
import dev.caravan.placement.policy.PrefixAwarePlacement;
import dev.caravan.placement.policy.RendezvousHome;
import dev.caravan.placement.policy.RoundRobinPlacement;
import dev.caravan.placement.policy.SessionAffinityPlacement;
import dev.caravan.placement.policy.SpillHysteresis;
import dev.caravan.placement.policy.TrackedWorkflowPlacement;
import dev.caravan.placement.policy.WorkflowAwarePlacement;
import dev.caravan.placement.prefix.CharsPerToken;
import dev.caravan.placement.prefix.PrefixIndex;
import dev.caravan.workflows.LineageTracker;
import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Clock;
import java.util.List;

/**
 * Builds the placement core from configuration, without Spring (used by {@link PlacementConfiguration},
 * tests and the benchmark). One instance holds one consistent set of collaborators: the prefix index
 * is shared by the prefix-aware and workflow-aware policies, so both learn from every routed request.
 */
public final class PlacementFactory {

    private final RoutingProperties routing;
    private final WorkflowSupportProperties workflows;
    private final WorkflowRegistry registry;
    private final PrefixIndex prefixIndex;
    private final LineageTracker lineage;
    private final LoadScore loadScore;
    private final RendezvousHome rendezvous;
    private final AdmissionQueue admissionQueue;
    private final PlacementPolicies policies;
    private final EngineCostModels costModels;
    /** The configured workflow strategy's policy, tracking workflows in the registry. */
    private final PlacementPolicy workflowPolicy;

    /** @param engines all engines (placement itself sees only each request's candidates) */
    public PlacementFactory(RoutingProperties routing, WorkflowSupportProperties workflows, EngineRegistry engines,
                            Clock clock) {
        this.routing = routing;
        this.workflows = workflows;
        RoutingProperties.Weights w = routing.getWeights();
        double prefixWeight = workflows.getCacheAffinityWeight() != null
                ? 2.0 * clamp01(workflows.getCacheAffinityWeight()) : w.getPrefix();
        double affinityWeight = workflows.getBatchingPreference() != null
                ? clamp01(workflows.getBatchingPreference()) : w.getAffinity();
        int spills = routing.getSpill().getSpillsToMove();
        if (workflows.getBatchingPreference() != null) {
            spills = (int) Math.max(1, Math.round(spills * (0.5 + clamp01(workflows.getBatchingPreference()))));
        }
        this.registry = new WorkflowRegistry(workflows.getTtl(), workflows.getMaxWorkflows(), clock,
                id -> engines.byId(id).map(e -> e.url().toString()).orElse(id));
        RoutingProperties.Prefix p = routing.getPrefix();
        this.prefixIndex = new PrefixIndex(p.getBlockChars(), p.getMaxEntries(), p.getMaxBlocks(),
                new CharsPerToken(p.getCharsPerToken(), p.isLearnCharsPerToken()), p.isCapacityAware());
        this.lineage = new LineageTracker(routing.getLineage().getMaxEntries(), routing.getLineage().getTtl());
        this.loadScore = new LoadScore(w.getInFlight(), w.getWaiting(), w.getKvCache(), prefixWeight, affinityWeight,
                routing.getSaturationPerEngine());
        this.rendezvous = new RendezvousHome(routing.getEpsilon(), routing.getMinOverload());
        SpillHysteresis hysteresis = new SpillHysteresis(spills, routing.getSpill().getOverloadToMove().toMillis());
        this.costModels = routing.getCostModel().isEnabled()
                ? new EngineCostModels(CostPriors.defaults(), routing.getCostModel().getMemory(),
                        routing.getCostModel().getForgetAfter().toMillis(), clock::millis) : null;
        RoutingProperties.Admission a = routing.getAdmission();
        this.admissionQueue = new AdmissionQueue(a.getQueueSize(), a.getMaxWait(), a.getRecheck());
        WorkflowAwarePlacement workflowAware = new WorkflowAwarePlacement(registry, engines, prefixIndex, lineage, loadScore,
                rendezvous, hysteresis, routing.getBroadcastK(),
                routing.isBalanceHomes() ? routing.getHomeEpsilon() : -1, costModels);
        this.policies = new PlacementPolicies(List.of(
                new RoundRobinPlacement(),
                new LeastLoadedPlacement(),
                new SessionAffinityPlacement(),
                new PrefixAwarePlacement(prefixIndex, loadScore, rendezvous, costModels),
                workflowAware,
                // Peer routers' published algorithms, selectable by name for side-by-side benchmarks.
                new ProductionStackPrefixAwarePlacement(),
                new SglangCacheAwarePlacement(),
                new LlmdWeightedScorersPlacement()));
        policies.get(routing.getPlainPolicy()); // fail fast on a typo
        PlacementPolicy forWorkflows = policies.get(workflows.getRouting().policyName());
        // Workflows are tracked whatever the strategy: only workflow-aware placement tracks them itself.
        this.workflowPolicy = forWorkflows instanceof WorkflowAwarePlacement
                ? forWorkflows : new TrackedWorkflowPlacement(forWorkflows, registry);
    }

    private static double clamp01(double v) { return Math.max(0, Math.min(1, v)); }

    /** Policy for requests without workflow metadata ({@code caravan.routing.plain-policy}). */
    public PlacementPolicy plainPolicy() { return policies.get(routing.getPlainPolicy()); }

    /**
     * Policy for requests with workflow metadata: {@code caravan.workflow-support.routing.strategy}
     * (tracking the workflow in the registry whatever the strategy), or the plain policy when workflow
     * support is disabled.
     */
    public PlacementPolicy workflowPolicy() {
        return workflows.isEnabled() ? workflowPolicy : plainPolicy();
    }

    public PlacementPolicies policies() { return policies; }
    public WorkflowRegistry registry() { return registry; }
    public PrefixIndex prefixIndex() { return prefixIndex; }
    /** Prompt characters per engine token, taught by engines' answers ({@link PlacementConfiguration}). */
    public CharsPerToken charsPerToken() { return prefixIndex.charsPerToken(); }
    public LineageTracker lineage() { return lineage; }
    public LoadScore loadScore() { return loadScore; }
    public RendezvousHome rendezvous() { return rendezvous; }
    public AdmissionQueue admissionQueue() { return admissionQueue; }
    /** The engines' learnt costs, or null when {@code caravan.routing.cost-model.enabled} is false. */
    public EngineCostModels costModels() { return costModels; }
}
