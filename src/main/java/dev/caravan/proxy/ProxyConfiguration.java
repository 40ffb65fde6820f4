package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.BoundedBodyReader;
import dev.caravan.api.CompletionRequestParser;
import dev.caravan.api.RequestIds;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineProperties;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.engines.Engine;
import dev.caravan.routing.FailoverToAnotherEngine;
import dev.caravan.routing.PlaceRequest;
import dev.caravan.routing.PlacementDecision;
import dev.caravan.routing.PlacementPolicies;
import dev.caravan.routing.PlacementPolicy;
import dev.caravan.routing.PlacementReason;
import dev.caravan.routing.PlacementRequest;
import dev.caravan.routing.RendezvousHome;
import java.net.http.HttpClient;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The processors the completion routes refer to by name. */
@Configuration(proxyBeanMethods = false)
public class ProxyConfiguration {

    @Bean
    RequestIds requestIds() {
        return new RequestIds();
    }

    @Bean("parseCompletionRequest")
    CompletionRequestParser parseCompletionRequest(ObjectMapper mapper, RequestIds ids,
            @Value("${caravan.max-body-size:10MB}") DataSize maxBody,
            @Value("${caravan.routing.session-header:x-session-id}") String sessionHeader) {
        return new CompletionRequestParser(mapper, new BoundedBodyReader(maxBody.toBytes()), sessionHeader, ids);
    }

    @Bean
    OutcomeRecorder outcomeRecorder(List<RequestOutcomeListener> listeners) {
        return new OutcomeRecorder(listeners);
    }

    @Bean("forwardToEngine")
    ForwardToEngine forwardToEngine(HttpClient engineHttpClient, ObjectMapper mapper, EngineRegistry registry,
            EngineHealthMonitor monitor, OutcomeRecorder recorder, EngineProperties properties,
            EngineRequestShaper shaper) {
        return new ForwardToEngine(engineHttpClient, mapper, registry, monitor, recorder, shaper,
                properties.getEngineClient().getResponseTimeout());
    }

    @Bean("failoverToAnotherEngine")
    FailoverToAnotherEngine failoverToAnotherEngine() {
        return new FailoverToAnotherEngine();
    }

    @Bean
    EngineRequestShaper engineRequestShaper(ObjectMapper mapper,
            @Value("${caravan.routing.forward-workflow-metadata:false}") boolean forwardMetadata) {
        return new EngineRequestShaper(mapper, forwardMetadata,
                wf -> (int) Math.round(-wf.workflowPriority() * 10));
    }

    @Bean
    PlacementPolicies placementPolicies() {
        return PlacementPolicies.plain();
    }

    @Bean("plainPlacement")
    PlaceRequest plainPlacement(EngineRegistry registry, PlacementPolicies policies,
            @Value("${caravan.routing.plain-policy:least-loaded}") String name) {
        return new PlaceRequest(registry, policies.get(name), 1);
    }

    @Bean("workflowPlacement")
    PlaceRequest workflowPlacement(EngineRegistry registry) {
        RendezvousHome home = new RendezvousHome(0.25, 4);
        PlacementPolicy byWorkflowId = new PlacementPolicy() {
            @Override
            public String name() { return "workflow-hash"; }

            @Override
            public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
                return new PlacementDecision(home.top(RendezvousHome.keyHash(request.workflow().workflowId()), candidates),
                        PlacementReason.HASH);
            }
        };
        return new PlaceRequest(registry, byWorkflowId, 1);
    }
}
