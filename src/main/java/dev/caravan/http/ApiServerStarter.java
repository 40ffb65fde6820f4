package dev.caravan.http;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the API server exactly once, at the first of: Camel starting (before its routes register
 * on the server's router) or Spring's lifecycle start (after the refresh, so the port is published
 * early). See {@link ApiServerConfiguration#apiServerStarter}.
 */
final class ApiServerStarter implements CamelContextConfiguration, SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerStarter.class);

    private final CaravanApiServer server;
    // Looked up, not injected: Spring starts the Lifecycle beans a SmartLifecycle depends on first,
    // and a Camel context started that way never gets its routes (camel-spring-boot loads them only
    // into a context it finds stopped at the refresh).
    private final BeanFactory beans;

    private final ApiDrain drain;
    private final Duration drainFor;

    ApiServerStarter(CaravanApiServer server, BeanFactory beans, ApiDrain drain, Duration drainFor) {
        this.server = server;
        this.beans = beans;
        this.drain = drain;
        this.drainFor = drainFor;
    }

    private synchronized void ensureStarted() {
        if (!server.isStarted()) {
            server.setCamelContext(beans.getBean(CamelContext.class));
            server.start();
        }
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        ensureStarted();
        // Only now, never from start(): camel-spring-boot loads the routes only if it finds the
        // context untouched (stopped) when the Spring context is refreshed.
        try {
            camelContext.addService(server, true, false);
        } catch (Exception e) {
            throw new IllegalStateException("Could not register the API server with Camel", e);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
        // the server is up before the routes
    }

    @Override
    public void start() {
        ensureStarted();
    }

    @Override
    public void stop() {
        drain.begin();
        server.stop();
    }

    /**
     * Graceful stop, before Camel's context (a higher phase stops first): new requests are refused
     * (503), those in flight, streams included, get up to {@code drainFor} to finish, then the port
     * closes. Off the caller's thread, so Spring's other lifecycle beans of this phase stop meanwhile.
     */
    @Override
    public void stop(Runnable callback) {
        drain.begin();
        Thread waiter = new Thread(() -> {
            long deadline = System.nanoTime() + drainFor.toNanos();
            try {
                while (drain.open() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (drain.open() > 0) {
                LOG.warn("Shutting down with {} API request(s) still open after {} ms", drain.open(), drainFor.toMillis());
            }
            try {
                server.stop();
            } finally {
                callback.run();
            }
        }, "caravan-api-drain");
        waiter.setDaemon(true);
        waiter.start();
    }

    @Override
    public boolean isRunning() {
        return server.isStarted();
    }
}
