package dev.caravan.http;

import java.util.concurrent.Executor;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Camel's Vert.x platform-http engine, creating {@link AsyncPlatformHttpConsumer}s: routes run
 * asynchronously and streamed bodies are written as they arrive.
 */
public class CaravanPlatformHttpEngine extends VertxPlatformHttpEngine {

    private final Executor routeExecutor;
    private final ExchangeResponseWriter writer;

    public CaravanPlatformHttpEngine(Executor routeExecutor) {
        this.routeExecutor = routeExecutor;
        this.writer = new ExchangeResponseWriter(routeExecutor);
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new AsyncPlatformHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()), routeExecutor, writer);
    }
}
