package dev.caravan.core;

import dev.caravan.engines.Engine;

/**
 * An engine failed before the client saw a byte (refused, timed out, or answered 5xx). Only this
 * failure is retried on another engine; once a response has started nothing is retried.
 */
public class EngineFailureException extends GatewayException {

    private final transient Engine engine;

    public EngineFailureException(Engine engine, String message, Throwable cause) {
        super(502, "engine_error", "engine_unavailable", null, message, null);
        this.engine = engine;
        if (cause != null) {
            initCause(cause);
        }
    }

    public Engine engine() { return engine; }
}
