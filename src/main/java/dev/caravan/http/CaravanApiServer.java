package dev.caravan.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Field;
import java.util.function.IntConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * Camel's Vert.x platform-http server on the API port, with what the API adds before any route:
 * the API key check (when keys are configured), JSON bodies sent as forms are relabelled, and the server's own answers (404, 405, 413, 400) are
 * OpenAI error bodies. Tells {@code onListening} the port it bound (the actual one when
 * configured with port 0).
 */
final class CaravanApiServer extends VertxPlatformHttpServer {

    private static final String[] JSON_PATHS = {"/v1/*", "/tokenize", "/detokenize"};

    private final VertxPlatformHttpServerConfiguration configuration;
    private final Handler<RoutingContext> jsonBodies;
    private final Handler<RoutingContext> errors;
    private final IntConsumer onListening;
    private final Handler<RoutingContext> apiKeys;
    private final Handler<RoutingContext> rateLimit;
    private final ApiDrain drain;

    /**
     * @param apiKeys   the key check for the API paths (every one but /health), or null when no keys are configured
     * @param rateLimit the per-key rate limit after it, or null
     * @param drain     counts requests in flight and refuses new ones once shutdown begins
     */
    CaravanApiServer(VertxPlatformHttpServerConfiguration configuration, Handler<RoutingContext> jsonBodies,
                     Handler<RoutingContext> errors, IntConsumer onListening, Handler<RoutingContext> apiKeys,
                     Handler<RoutingContext> rateLimit, ApiDrain drain) {
        super(configuration);
        this.configuration = configuration;
        this.jsonBodies = jsonBodies;
        this.errors = errors;
        this.onListening = onListening;
        this.apiKeys = apiKeys;
        this.rateLimit = rateLimit;
        this.drain = drain;
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
        try {
            Field field = VertxPlatformHttpServer.class.getDeclaredField("router");
            field.setAccessible(true);
            return (Router) field.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Camel's VertxPlatformHttpServer no longer keeps its root router in 'router'", e);
        }
    }

    @Override
    protected void startServer() throws Exception {
        super.startServer();
        onListening.accept(getServer().actualPort());
    }
}
