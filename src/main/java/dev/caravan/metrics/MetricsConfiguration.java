package dev.caravan.metrics;

import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.PlacementFactory;
import dev.caravan.placement.admission.AdmissionQueue;
import dev.caravan.placement.prefix.PrefixIndex;
import dev.caravan.workflows.WorkflowRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Routing and workflow metrics for /actuator/prometheus. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MetricsProperties.class)
public class MetricsConfiguration {

    @Bean
    GatewayMetrics gatewayMetrics(EngineRegistry engines, WorkflowRegistry workflows, AdmissionQueue admission) {
        return new GatewayMetrics(engines, workflows, admission);
    }

    @Bean
    PrefixIndexMetrics prefixIndexMetrics(PrefixIndex index, EngineRegistry engines) {
        return new PrefixIndexMetrics(index, engines);
    }

    @Bean
    KvEventMetrics kvEventMetrics(dev.caravan.placement.kvevents.KvEventStreams streams,
                                  dev.caravan.placement.kvevents.PromptTokenizer tokenizer) {
        return new KvEventMetrics(streams, tokenizer);
    }

    /** The engines' learnt costs (only while {@code caravan.routing.cost-model.enabled}). */
    @Bean
    @ConditionalOnProperty(name = "caravan.routing.cost-model.enabled", havingValue = "true", matchIfMissing = true)
    EngineCostMetrics engineCostMetrics(PlacementFactory placement, EngineRegistry engines) {
        return new EngineCostMetrics(placement.costModels(), engines);
    }

    /** A stopped gateway's registries leave Micrometer's static global one (see the class). */
    @Bean
    GlobalRegistryRelease globalRegistryRelease(List<MeterRegistry> registries) {
        return new GlobalRegistryRelease(registries);
    }

    /** One log line per completion request (logger caravan.request). */
    @Bean
    RequestLog requestLog() {
        return new RequestLog();
    }

    /** The seed plan's vllm_workflow_* series; per workflow id only with {@code caravan.metrics.per-workflow}. */
    @Bean
    WorkflowMetrics workflowMetrics(WorkflowRegistry workflows, MetricsProperties properties) {
        return new WorkflowMetrics(workflows, properties);
    }
}
