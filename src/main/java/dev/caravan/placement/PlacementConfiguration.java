package dev.caravan.routing;

import dev.caravan.engines.EngineRegistry;
import dev.caravan.proxy.RequestOutcomeListener;
import dev.caravan.workflows.WorkflowRegistry;
import dev.caravan.workflows.WorkflowSupportProperties;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans of the placement core. Bean names (for Camel {@code #bean:} references):
 * {@code placementFactory}, {@code placementPolicies}, {@code plainPlacementPolicy},
 * {@code workflowPlacementPolicy}, {@code workflowRegistry}, {@code admissionQueue},
 * {@code lineageTracker}, {@code prefixIndex}, {@code loadScore}, {@code vllmPriorityMapping},
 * {@code charsPerTokenFromUsage}.
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
        if (!f.prefixIndex().capacityAware()) return outcome -> { };
        CharsPerToken ratio = f.charsPerToken();
        return outcome -> {
            String prompt = outcome.request() == null ? null : outcome.request().promptText();
            if (outcome.status() == 200 && prompt != null) {
                ratio.learn(outcome.engine(), prompt.length(), outcome.promptTokens());
            }
        };
    }

    @Bean
    public VllmPriorityMapping vllmPriorityMapping() { return new VllmPriorityMapping(); }
}
