package dev.caravan.http;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the API server exactly once, at the first of: Camel starting (before its routes register
 * on the server's router) or Spring's lifecycle start (after the refresh, so the port is published
 * early). See {@link ApiServerConfiguration#apiServerStarter}.
 */
final class ApiServerStarter implements CamelContextConfiguration, SmartLifecycle {

    private final CaravanApiServer server;
    // Looked up, not injected: Spring starts the Lifecycle beans a SmartLifecycle depends on first,
    // and a Camel context started that way never gets its routes (camel-spring-boot loads them only
    // into a context it finds stopped at the refresh).
    private final BeanFactory beans;

    ApiServerStarter(CaravanApiServer server, BeanFactory beans) {
        this.server = server;
        this.beans = beans;
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
        server.stop();
    }

    @Override
    public boolean isRunning() {
        return server.isStarted();
    }
}
