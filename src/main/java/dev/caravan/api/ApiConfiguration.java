package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.engines.ModelAliases;
import dev.caravan.core.EngineCostView;
import org.apache.camel.Processor;
import org.springframework.beans.factory.ObjectProvider;
import dev.caravan.messaging.BrokerStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The API-facing processors: the parse steps of the routes and what the gateway answers about itself. */
@Configuration(proxyBeanMethods = false)
public class ApiConfiguration {

    @Bean
    RequestIds requestIds() {
        return new RequestIds();
    }

    @Bean("parseCompletionRequest")
    CompletionRequestParser parseCompletionRequest(ObjectMapper mapper, RequestIds ids, ModelAliases aliases,
            @Value("${caravan.max-body-size:10MB}") DataSize maxBody,
            @Value("${caravan.routing.session-header:x-session-id}") String sessionHeader,
            @Value("${caravan.limits.max-tokens:0}") int maxTokens) {
        return new CompletionRequestParser(mapper, new BoundedBodyReader(maxBody.toBytes()), sessionHeader, ids,
                aliases, new MaxTokensCap(maxTokens));
    }

    @Bean("concurrentStreamsPerKey")
    ConcurrentStreamsPerKey concurrentStreamsPerKey(@Value("${caravan.limits.max-streams-per-key:0}") int max) {
        return new ConcurrentStreamsPerKey(max);
    }

    /** The cap's route steps as processors (direct calls, not a bean step's reflective dispatch per request). */
    @Bean("limitStreamedCompletions")
    Processor limitStreamedCompletions(ConcurrentStreamsPerKey concurrentStreamsPerKey) {
        return concurrentStreamsPerKey::completion;
    }

    @Bean("limitMessageStreams")
    Processor limitMessageStreams(ConcurrentStreamsPerKey concurrentStreamsPerKey) {
        return concurrentStreamsPerKey::messages;
    }

    @Bean("listModels")
    ListModels listModels(EngineRegistry registry, ObjectMapper mapper) {
        return new ListModels(registry, mapper);
    }

    @Bean("gatewayHealth")
    GatewayHealth gatewayHealth(EngineRegistry registry, BrokerStatus brokerStatus, ObjectMapper mapper,
                                ObjectProvider<EngineCostView> costs) {
        return new GatewayHealth(registry, brokerStatus::brokerUp, mapper, costs.getIfAvailable());
    }

    @Bean("parsePassthroughRequest")
    PassthroughRequestParser parsePassthroughRequest(CompletionRequestParser parseCompletionRequest, RequestIds ids,
            ModelAliases aliases, @Value("${caravan.max-body-size:10MB}") DataSize maxBody) {
        return new PassthroughRequestParser(parseCompletionRequest, new BoundedBodyReader(maxBody.toBytes()), ids,
                aliases);
    }
}
