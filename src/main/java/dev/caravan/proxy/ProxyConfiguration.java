package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.BoundedBodyReader;
import dev.caravan.api.CompletionRequestParser;
import dev.caravan.api.RequestIds;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineProperties;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.routing.AdmissionQueue;
import dev.caravan.routing.AdmitRequest;
import dev.caravan.routing.FailoverToAnotherEngine;
import dev.caravan.routing.LoadScore;
import dev.caravan.routing.PlaceRequest;
import dev.caravan.routing.PlacementPolicy;
import dev.caravan.routing.VllmPriorityMapping;
import org.springframework.beans.factory.annotation.Qualifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.List;
import java.util.concurrent.Executor;
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
    OutcomeRecorder outcomeRecorder(List<RequestOutcomeListener> listeners, AdmissionQueue admission) {
        return new OutcomeRecorder(listeners, admission::capacityFreed);
    }

    /**
     * The client that forwards requests, on the API server's event loops: a keep-alive pool per
     * engine (host and port), no pipelining (a slow answer must not hold up the next request on the
     * connection), as many connections per engine as there are open requests to it, up to
     * {@code caravan.engine-client.max-connections-per-engine}.
     */
    @Bean(destroyMethod = "close")
    HttpClient engineHttpClient(Vertx vertx, EngineProperties properties,
            @Value("${caravan.engine-client.max-connections-per-engine:10000}") int maxConnections) {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) properties.getEngineClient().getConnectTimeout().toMillis())
                .setKeepAliveTimeout(60);
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
    }

    @Bean("forwardToEngine")
    ForwardToEngine forwardToEngine(@Qualifier("engineHttpClient") HttpClient engineHttpClient, ObjectMapper mapper, EngineRegistry registry,
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
    EngineRequestShaper engineRequestShaper(ObjectMapper mapper, VllmPriorityMapping priorities,
            @Value("${caravan.routing.forward-workflow-metadata:false}") boolean forwardMetadata) {
        return new EngineRequestShaper(mapper, forwardMetadata, wf -> wf == null ? priorities.plainPriority() : priorities.toVllm(wf.workflowPriority()));
    }

    @Bean("plainPlacement")
    PlaceRequest plainPlacement(EngineRegistry registry, @Qualifier("plainPlacementPolicy") PlacementPolicy policy) {
        return new PlaceRequest(registry, policy, 1);
    }

    @Bean("workflowPlacement")
    PlaceRequest workflowPlacement(EngineRegistry registry,
            @Qualifier("workflowPlacementPolicy") PlacementPolicy policy) {
        return new PlaceRequest(registry, policy, 1);
    }

    @Bean("admitRequest")
    AdmitRequest admitRequest(EngineRegistry registry, AdmissionQueue queue, LoadScore load,
                              @Qualifier("applicationTaskExecutor") Executor waitExecutor) {
        return new AdmitRequest(registry, queue, load, waitExecutor);
    }
}
