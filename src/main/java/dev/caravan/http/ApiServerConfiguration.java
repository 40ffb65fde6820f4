package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.util.unit.DataSize;

/**
 * One port per concern. The API ({@code server.port}, default 8080) is served by Camel's Vert.x
 * platform-http engine: an event loop parses HTTP and writes responses, no servlet container and no
 * Spring MVC dispatch on the request path. Spring Boot's servlet container serves only the
 * management port ({@code management.server.port}, default 8081): actuator, Prometheus, Hawtio,
 * Jolokia. See docs/architecture.md, "Ports and threads", for why.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiSecurityProperties.class)
public class ApiServerConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerConfiguration.class);

    /** The Vert.x instance of the API server and of the engine client (one set of event loops for both). */
    @Bean(destroyMethod = "close")
    Vertx vertx(@Value("${caravan.http.event-loops:0}") int eventLoops) {
        VertxOptions options = new VertxOptions();
        if (eventLoops > 0) {
            options.setEventLoopPoolSize(eventLoops);
        }
        return Vertx.vertx(options);
    }

    @Bean
    ApiKeys apiKeys(ApiSecurityProperties security) {
        return new ApiKeys(security.getApiKeys(), security.getAdminKeys());
    }

    @Bean
    VertxPlatformHttpServerConfiguration apiServerSettings(@Value("${server.port:8080}") int port,
            @Value("${server.address:}") String configuredHost, @Value("${caravan.max-body-size:10MB}") DataSize maxBody,
            ApiKeys keys, ApiSecurityProperties security, ConfigurableEnvironment environment,
            ObjectProvider<SslBundles> sslBundles) {
        String host = ApiBindAddress.choose(configuredHost, keys.enabled(), security.isAllowAnonymous());
        if (keys.enabled()) {
            LOG.info("API port {}:{}: {} API key(s); clients send 'Authorization: Bearer <key>'", host, port, keys.count());
        } else {
            LOG.warn("API port {}:{} without API keys: anyone who reaches it may call it{}", host, port,
                    ApiBindAddress.loopback(host) ? " (loopback only; set caravan.security.api-keys to open it further)" : "");
        }
        VertxPlatformHttpServerConfiguration config = new VertxPlatformHttpServerConfiguration();
        config.setBindPort(port);
        config.setBindHost(host);
        // Vert.x answers 413 itself (OpenAiErrorHandler) before buffering more than this.
        config.setMaxBodySize(maxBody.toBytes());
        config.getBodyHandler().setHandleFileUploads(false);
        SSLContextParameters tls = ApiTls.from(environment, sslBundles.getIfAvailable());
        if (tls != null) {
            config.setSslContextParameters(tls);
            LOG.info("API port {}:{} serves HTTPS (server.ssl)", host, port);
        }
        return config;
    }

    @Bean
    CaravanApiServer apiServer(VertxPlatformHttpServerConfiguration config, Vertx vertx, ObjectMapper mapper,
            ConfigurableEnvironment environment, @Value("${caravan.max-body-size:10MB}") DataSize maxBody,
            ErrorResponseMetrics errorMetrics, ApiKeys keys, ApiSecurityProperties security, ApiDrain drain,
            RequestHeadLimits headLimits) {
        ApiSecurityProperties.RateLimit limit = security.getRateLimit();
        CaravanApiServer server = new CaravanApiServer(config, new JsonBodyWithoutContentType(),
                new OpenAiErrorHandler(mapper, maxBody.toBytes(), errorMetrics), port -> publishPort(environment, port),
                keys.enabled() ? new ApiKeyCheck(keys, mapper, errorMetrics) : null,
                keys.enabled() && limit.getRequests() > 0
                        ? new ApiKeyRateLimit(limit.getRequests(), limit.getPeriod(), mapper, errorMetrics) : null,
                drain, headLimits, new InvalidRequestHandler(mapper, errorMetrics, headLimits), ApiTls.clientAuth(environment));
        server.setVertx(vertx);
        return server;
    }

    /**
     * How long a request line and how many header bytes the API port reads before it answers 414 / 431:
     * Spring Boot's own {@code server.max-http-request-header-size} (8KB, as for its servlet containers, which
     * apply it to the management port too) and {@code caravan.limits.max-request-line-length} (4KB); both take a
     * size ({@code 16KB}) or a number of bytes.
     */
    @Bean
    RequestHeadLimits requestHeadLimits(@Value("${caravan.limits.max-request-line-length:4KB}") DataSize requestLine,
            @Value("${server.max-http-request-header-size:8KB}") DataSize headers) {
        return RequestHeadLimits.of(requestLine, headers);
    }

    /**
     * The engine platform-http routes use (Camel looks it up by this name). Routes start on Spring's task executor
     * ({@code spring.task.execution.*}, virtual threads on Java 21+), which may block; the engine
     * call itself is asynchronous.
     */
    @Bean(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME)
    PlatformHttpEngine platformHttpEngine(@Qualifier("applicationTaskExecutor") Executor routeExecutor) {
        return CaravanPlatformHttpEngine.onExecutor(routeExecutor);
    }

    /**
     * The engine for routes none of whose steps block (the completion routes choose it with
     * {@code platformHttpEngine: "#eventLoopHttpEngine"}): they run on the connection's event loop.
     */
    @Bean("eventLoopHttpEngine")
    PlatformHttpEngine eventLoopHttpEngine(@Qualifier("applicationTaskExecutor") Executor blockingExecutor) {
        return CaravanPlatformHttpEngine.onEventLoop(blockingExecutor);
    }

    /**
     * Opens the API port once, at whichever comes first: the Camel context starting (its routes
     * register on the server's router, so the server must be up before them) or the Spring context
     * finishing its refresh (so {@code local.server.port} is known before anyone asks: tests inject
     * it before their Camel context starts). Until the routes are started the port answers 404.
     * Added to the Camel context as a service, so that Camel's lookups of "the platform-http
     * server" find it and it stops with the context.
     */
    @Bean
    ApiDrain apiDrain(ObjectMapper mapper) {
        return new ApiDrain(mapper);
    }

    /**
     * @param drainTimeout how long shutdown waits for the API's requests in flight (streams to their last
     *                     event) before it closes the port: {@code caravan.shutdown.drain-timeout}, by default
     *                     a second less than Spring's phase timeout, which bounds the whole stop
     */
    @Bean
    ApiServerStarter apiServerStarter(CaravanApiServer server, BeanFactory beans, ApiDrain drain,
            @Value("${caravan.shutdown.drain-timeout:}") Duration drainTimeout,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration phaseTimeout) {
        Duration drainFor = drainTimeout != null ? drainTimeout
                : phaseTimeout.minusSeconds(1).isNegative() ? Duration.ZERO : phaseTimeout.minusSeconds(1);
        return new ApiServerStarter(server, beans, drain, drainFor);
    }

    /**
     * The servlet container serves the management port only. The management child context runs
     * its own container on {@code management.server.port}; the main one must not listen at all,
     * since its port ({@code server.port}) belongs to the API server. A negative port makes Spring
     * Boot create the container without opening a connector.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableWebServerFactory> noServletContainerOnApiPort(ConfigurableEnvironment environment) {
        String management = environment.getProperty("management.server.port");
        String api = environment.getProperty("server.port", "8080");
        if (management == null || (!"0".equals(management) && management.equals(api))) {
            throw new IllegalStateException("management.server.port must be set and differ from server.port ("
                    + api + "): the API port is served by Vert.x, actuator and Hawtio by the servlet container");
        }
        // server.ssl is the API's (ApiTls): the connector-less container must not try to apply it.
        return factory -> {
            factory.setPort(-1);
            factory.setSsl(null);
        };
    }

    /** {@code local.server.port} is the API port, as with any Spring Boot web server (tests read it). */
    private static void publishPort(ConfigurableEnvironment environment, int port) {
        PropertySource<?> existing = environment.getPropertySources().get("server.ports");
        if (existing instanceof MapPropertySource map) {
            map.getSource().put("local.server.port", port);
        } else {
            Map<String, Object> ports = new HashMap<>();
            ports.put("local.server.port", port);
            environment.getPropertySources().addFirst(new MapPropertySource("server.ports", ports));
        }
    }
}
