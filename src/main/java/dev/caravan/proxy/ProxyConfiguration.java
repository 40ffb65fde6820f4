package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineProperties;
import dev.caravan.engines.EngineRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The forward and answer steps of the routes, and the client they call engines with. */
@Configuration(proxyBeanMethods = false)
public class ProxyConfiguration {

    @Bean
    OutcomeRecorder outcomeRecorder(List<RequestOutcomeListener> listeners) {
        return new OutcomeRecorder(listeners);
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
    ForwardToEngine forwardToEngine(@Qualifier("engineHttpClient") HttpClient engineHttpClient, EngineRegistry registry,
            EngineHealthMonitor monitor, OutcomeRecorder recorder, EngineProperties properties,
            EngineRequestShaper shaper) {
        return new ForwardToEngine(engineHttpClient, registry, monitor, recorder, shaper,
                properties.getEngineClient().getResponseTimeout());
    }

    /**
     * {@code caravan.engine-client.circuit-breaker.*}: per-engine breakers on the outcome of requests
     * ({@code enabled}, {@code failure-rate} percent, over the last {@code window} calls once
     * {@code minimum-calls} were made, open for {@code open-for}, then {@code half-open-calls} trial calls).
     */
    @Bean
    @ConditionalOnProperty(prefix = "caravan.engine-client.circuit-breaker",
            name = "enabled", havingValue = "true", matchIfMissing = true)
    EngineCircuitBreakers engineCircuitBreakers(
            @Value("${caravan.engine-client.circuit-breaker.failure-rate:50}") float failureRate,
            @Value("${caravan.engine-client.circuit-breaker.window:20}") int window,
            @Value("${caravan.engine-client.circuit-breaker.minimum-calls:10}") int minimumCalls,
            @Value("${caravan.engine-client.circuit-breaker.open-for:10s}") Duration openFor,
            @Value("${caravan.engine-client.circuit-breaker.half-open-calls:3}") int halfOpenCalls) {
        return new EngineCircuitBreakers(failureRate, window, minimumCalls, openFor, halfOpenCalls);
    }

    @Bean("answerClient")
    AnswerClient answerClient(ObjectMapper mapper, OutcomeRecorder recorder) {
        return new AnswerClient(mapper, recorder);
    }

    @Bean
    VllmPriorityMapping vllmPriorityMapping() {
        return new VllmPriorityMapping();
    }

    @Bean
    EngineRequestShaper engineRequestShaper(ObjectMapper mapper, VllmPriorityMapping priorities,
            @Value("${caravan.routing.forward-workflow-metadata:false}") boolean forwardMetadata) {
        return new EngineRequestShaper(mapper, forwardMetadata, wf -> wf == null ? priorities.plainPriority() : priorities.toVllm(wf.workflowPriority()));
    }
}
