package dev.caravan.placement;

import dev.caravan.core.EngineCostView;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.engines.ModelAliases;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.placement.policy.LoadScore;
import dev.caravan.placement.policy.PlacementPolicies;
import dev.caravan.placement.prefix.CharsPerToken;
import dev.caravan.placement.prefix.PrefixIndex;
import dev.caravan.workflows.LineageTracker;
import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans of the placement core. Bean names (for Camel {@code #bean:} references):
 * {@code placementFactory}, {@code placementPolicies}, {@code plainPlacementPolicy},
 * {@code workflowPlacementPolicy}, {@code workflowRegistry}, {@code admissionQueue},
 * {@code lineageTracker}, {@code prefixIndex}, {@code loadScore}, {@code charsPerTokenFromUsage}; and the
 * route steps {@code admitRequest}, {@code plainPlacement}, {@code workflowPlacement},
 * {@code failoverToAnotherEngine}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RoutingProperties.class, WorkflowSupportProperties.class})
public class PlacementConfiguration {

    @Bean
    public PlacementFactory placementFactory(RoutingProperties routing, WorkflowSupportProperties workflows,
                                             EngineRegistry engines) {
        return new PlacementFactory(routing, workflows, engines, Clock.systemUTC());
    }

    @Bean
    public PlacementPolicies placementPolicies(PlacementFactory f) { return f.policies(); }

    @Bean
    public PlacementPolicy plainPlacementPolicy(PlacementFactory f) { return f.plainPolicy(); }

    @Bean
    public PlacementPolicy workflowPlacementPolicy(PlacementFactory f) { return f.workflowPolicy(); }

    @Bean
    public WorkflowRegistry workflowRegistry(PlacementFactory f) { return f.registry(); }

    @Bean
    public AdmissionQueue admissionQueue(PlacementFactory f) { return f.admissionQueue(); }

    @Bean
    public LineageTracker lineageTracker(PlacementFactory f) { return f.lineage(); }

    @Bean
    public PrefixIndex prefixIndex(PlacementFactory f) { return f.prefixIndex(); }

    @Bean
    public LoadScore loadScore(PlacementFactory f) { return f.loadScore(); }

    /**
     * Every answer with usage teaches the prefix index how many prompt characters make one token of the
     * engine that gave it, which converts the engine's KV capacity (tokens) into index blocks. Only the
     * capacity-aware index uses the ratio, so without it no request pays for learning it.
     */
    @Bean
    public RequestOutcomeListener charsPerTokenFromUsage(PlacementFactory f) {
        // The capacity-aware index and the cost model (prompt characters to tokens) use the ratio.
        if (!f.prefixIndex().capacityAware() && f.costModels() == null) return outcome -> { };
        CharsPerToken ratio = f.charsPerToken();
        return outcome -> {
            String prompt = outcome.request() == null ? null : outcome.request().promptText();
            if (outcome.status() == 200 && prompt != null) {
                ratio.learn(outcome.engine(), prompt.length(), outcome.promptTokens());
            }
        };
    }

    @Bean
    public CandidateEngines candidateEngines(EngineRegistry registry, ModelAliases aliases) {
        return new CandidateEngines(registry, 1, aliases);
    }

    @Bean("plainPlacement")
    public PlaceRequest plainPlacement(CandidateEngines candidates,
                                       @Qualifier("plainPlacementPolicy") PlacementPolicy policy) {
        return new PlaceRequest(candidates, policy);
    }

    @Bean("workflowPlacement")
    public PlaceRequest workflowPlacement(CandidateEngines candidates,
                                          @Qualifier("workflowPlacementPolicy") PlacementPolicy policy) {
        return new PlaceRequest(candidates, policy);
    }

    @Bean("failoverToAnotherEngine")
    public FailoverToAnotherEngine failoverToAnotherEngine(CandidateEngines candidates) {
        return new FailoverToAnotherEngine(candidates);
    }

    @Bean("admitRequest")
    public AdmitRequest admitRequest(EngineRegistry registry, AdmissionQueue queue, LoadScore load,
                                     @Qualifier("applicationTaskExecutor") Executor waitExecutor) {
        return new AdmitRequest(registry, queue, load, waitExecutor);
    }

    @Bean
    public RequestOutcomeListener releaseAdmissionSlots(AdmissionQueue queue) {
        return new ReleaseAdmissionSlots(queue);
    }

    /** The engines' learnt costs for {@code /health}; absent when the cost model is off. */
    @Bean
    @ConditionalOnProperty(name = "caravan.routing.cost-model.enabled", havingValue = "true", matchIfMissing = true)
    public EngineCostView engineCostView(PlacementFactory f) { return f.costModels(); }

    /** Every answer teaches its engine's cost model (nothing to learn when the model is off). */
    @Bean
    public RequestOutcomeListener learnEngineCosts(PlacementFactory f) {
        if (f.costModels() == null) return outcome -> { };
        return new LearnEngineCosts(f.costModels(), f.charsPerToken());
    }

    @Bean
    public RequestOutcomeListener learnWherePromptsLive() {
        return new LearnWherePromptsLive();
    }
}
