package dev.caravan.http;

import io.vertx.core.Handler;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.IntConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.vertx.common.VertxHelper;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's Vert.x platform-http server on the API port, with what the API adds before any route:
 * the API key check (when keys are configured), JSON bodies sent as forms are relabelled, the request head is
 * bounded ({@link RequestHeadLimits}), and the server's own answers (404, 405, 413, 400, and 414/431/400 for a
 * head it could not read) are OpenAI error bodies. Tells {@code onListening} the port it bound (the actual one
 * when configured with port 0).
 */
final class CaravanApiServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanApiServer.class);
    private static final String[] JSON_PATHS = {"/v1/*", "/tokenize", "/detokenize"};

    private final VertxPlatformHttpServerConfiguration configuration;
    private final Handler<RoutingContext> jsonBodies;
    private final Handler<RoutingContext> errors;
    private final IntConsumer onListening;
    private final Handler<RoutingContext> apiKeys;
    private final Handler<RoutingContext> rateLimit;
    private final ApiDrain drain;
    private final RequestHeadLimits headLimits;
    private final Handler<HttpServerRequest> invalidRequests;
    private final ClientAuth clientAuth;

    /**
     * @param apiKeys   the key check for the API paths (every one but /health), or null when no keys are configured
     * @param rateLimit the per-key rate limit after it, or null
     * @param drain     counts requests in flight and refuses new ones once shutdown begins
     * @param headLimits      the request line and header sizes the decoder reads at most
     * @param invalidRequests answers a request whose head the decoder refused (too long, malformed)
     * @param clientAuth      whether TLS clients must (or may) present a certificate ({@code server.ssl.client-auth})
     */
    CaravanApiServer(VertxPlatformHttpServerConfiguration configuration, Handler<RoutingContext> jsonBodies,
                     Handler<RoutingContext> errors, IntConsumer onListening, Handler<RoutingContext> apiKeys,
                     Handler<RoutingContext> rateLimit, ApiDrain drain, RequestHeadLimits headLimits,
                     Handler<HttpServerRequest> invalidRequests, ClientAuth clientAuth) {
        super(configuration);
        this.configuration = configuration;
        this.jsonBodies = jsonBodies;
        this.errors = errors;
        this.onListening = onListening;
        this.apiKeys = apiKeys;
        this.rateLimit = rateLimit;
        this.drain = drain;
        this.headLimits = headLimits;
        this.invalidRequests = invalidRequests;
        this.clientAuth = clientAuth;
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort()));
        router.route().order(-10).handler(drain); // every request, /health included
        for (String path : JSON_PATHS) {
            if (apiKeys != null) {
                router.route(path).order(-3).handler(apiKeys);
            }
            if (rateLimit != null) {
                router.route(path).order(-2).handler(rateLimit);
            }
            router.route(path).order(-1).handler(jsonBodies);
        }
        Router root = rootRouter();
        for (int status : new int[] {400, 404, 405, 413, 500}) {
            root.errorHandler(status, errors);
        }
    }

    /**
     * The server's root router, which mounts the routes' router at the configured path. Error
     * handlers must sit there: when no route matches, Vert.x answers 404/405 with the root
     * router's handlers, never the mounted router's. Camel keeps the root router in a private
     * field with no accessor, hence reflection (PortsTest fails if a Camel upgrade moves it).
     */
    private Router rootRouter() {
        return (Router) get(field("router"));
    }

    /**
     * Camel's {@code startServer()} with the server options the API needs: Camel builds default
     * {@code HttpServerOptions} (8 KB of headers, 4 KB of request line, Vert.x' body-less answers to
     * both; no client certificates asked for, whatever {@code server.ssl.client-auth} says) with no hook to
     * change them, and Vert.x reads the options and the invalid-request handler
     * only when the server starts listening. So the same steps as Camel's (TLS from the configuration,
     * its single-thread executor, listen and wait), and the server and executor are put where Camel
     * keeps them, so that its {@code stopServer()}, {@code doStop()} and {@code getServer()} work as before.
     */
    @Override
    protected void startServer() throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setMaxInitialLineLength(headLimits.maxRequestLineBytes())
                .setMaxHeaderSize(headLimits.maxHeaderBytes());
        SSLContextParameters tls = configuration.getSslContextParameters() != null ? configuration.getSslContextParameters()
                : configuration.isUseGlobalSslContextParameters() ? getCamelContext().getSSLContextParameters() : null;
        if (tls != null) {
            VertxHelper.setupSSLOptions(getCamelContext(), tls, options);
            options.setClientAuth(clientAuth);
        }
        ExecutorService executor = getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "platform-http-service");
        set(field("executor"), executor);
        HttpServer server = getVertx().createHttpServer(options).invalidRequestHandler(invalidRequests);
        set(field("server"), server);
        Router router = rootRouter();
        CompletableFuture.runAsync(() -> server.requestHandler(router)
                .listen(configuration.getBindPort(), configuration.getBindHost())
                .toCompletionStage().toCompletableFuture().join(), executor).join();
        LOG.info("Vert.x HttpServer started on {}:{} (request line up to {} bytes, headers up to {} bytes)",
                configuration.getBindHost(), server.actualPort(), headLimits.maxRequestLineBytes(), headLimits.maxHeaderBytes());
        onListening.accept(server.actualPort());
    }

    /** Camel's private fields this server shares with its superclass (it has no accessors for them). */
    private static Field field(String name) {
        try {
            Field field = VertxPlatformHttpServer.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("Camel's VertxPlatformHttpServer no longer keeps its '" + name
                    + "' in a field of that name: CaravanApiServer must follow the upgrade", e);
        }
    }

    private Object get(Field field) {
        try {
            return field.get(this);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Camel's VertxPlatformHttpServer." + field.getName() + " is not accessible", e);
        }
    }

    private void set(Field field, Object value) {
        try {
            field.set(this, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Camel's VertxPlatformHttpServer." + field.getName() + " is not settable", e);
        }
    }
}
