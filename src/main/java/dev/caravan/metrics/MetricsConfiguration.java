package dev.caravan.metrics;

import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.placement.prefix.PrefixIndex;
import dev.caravan.workflows.WorkflowRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Routing and workflow metrics for /actuator/prometheus. */
@Configuration(proxyBeanMethods = false)
public class MetricsConfiguration {

    @Bean
    GatewayMetrics gatewayMetrics(EngineRegistry engines, WorkflowRegistry workflows, AdmissionQueue admission) {
        return new GatewayMetrics(engines, workflows, admission);
    }

    @Bean
    PrefixIndexMetrics prefixIndexMetrics(PrefixIndex index, EngineRegistry engines) {
        return new PrefixIndexMetrics(index, engines);
    }

    /** The engines' learnt costs (only while {@code caravan.routing.cost-model.enabled}). */
    @Bean
    @ConditionalOnProperty(name = "caravan.routing.cost-model.enabled", havingValue = "true", matchIfMissing = true)
    EngineCostMetrics engineCostMetrics(PlacementFactory placement, EngineRegistry engines) {
        return new EngineCostMetrics(placement.costModels(), engines);
    }

    /** Per-workflow series; off with {@code caravan.metrics.per-workflow=false} for very many workflows. */
    @Bean
    @ConditionalOnProperty(name = "caravan.metrics.per-workflow", havingValue = "true", matchIfMissing = true)
    WorkflowMetrics workflowMetrics(WorkflowRegistry workflows) {
        return new WorkflowMetrics(workflows);
    }
}
