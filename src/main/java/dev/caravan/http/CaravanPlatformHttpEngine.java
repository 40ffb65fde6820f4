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
 *
 * <p>Two of them serve the same port. The default one ({@code platformHttpEngine}) starts every
 * route on the request executor, because route steps may block (JMS sends, long polls, admission
 * waits). The event-loop one ({@code eventLoopHttpEngine}) runs the route on the connection's event
 * loop, saving two thread hand-offs per request; a route picks it with the endpoint option
 * {@code platformHttpEngine: "#eventLoopHttpEngine"} only when none of its steps blocks (the
 * completion routes: parsing, asynchronous admission, placement, the asynchronous engine call).
 */
public class CaravanPlatformHttpEngine extends VertxPlatformHttpEngine {

    private final Executor routeExecutor;
    private final boolean onEventLoop;
    private final ExchangeResponseWriter writer;

    private CaravanPlatformHttpEngine(Executor routeExecutor, boolean onEventLoop) {
        this.routeExecutor = routeExecutor;
        this.onEventLoop = onEventLoop;
        this.writer = new ExchangeResponseWriter(routeExecutor);
    }

    /** Routes start on {@code routeExecutor}. */
    public static CaravanPlatformHttpEngine onExecutor(Executor routeExecutor) {
        return new CaravanPlatformHttpEngine(routeExecutor, false);
    }

    /** Routes run on the connection's event loop; {@code blockingExecutor} only reads blocking response bodies. */
    public static CaravanPlatformHttpEngine onEventLoop(Executor blockingExecutor) {
        return new CaravanPlatformHttpEngine(blockingExecutor, true);
    }

    @Override
    protected void doInit() throws Exception {
        // Camel's engine binds itself as the default engine here; only the default one may.
        if (!onEventLoop) {
            super.doInit();
        }
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new AsyncPlatformHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()), onEventLoop ? null : routeExecutor, writer);
    }
}
