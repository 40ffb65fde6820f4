package dev.caravan.core;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Why an engine failed a call, as operators tell faults apart: by metric label. */
public enum EngineErrorKind {
    /** The connection was refused or the host could not be resolved: nothing listens there. */
    CONNECT("connect"),
    /** No byte from the engine within the response timeout. */
    TIMEOUT("timeout"),
    /** The connection broke before an answer (reset, closed). */
    CONNECTION("connection"),
    /** The engine answered 5xx before any byte reached the client. */
    HTTP_5XX("http_5xx"),
    /** The engine answered 200 with something that is no answer (not a JSON object, or not an event stream when one was asked for). */
    INVALID_ANSWER("invalid_answer"),
    /** The engine broke off an answer that had started streaming. */
    MID_STREAM("mid_stream");

    private final String label;

    EngineErrorKind(String label) {
        this.label = label;
    }

    public String label() { return label; }

    /** The kind of a transport failure, from its cause chain. */
    public static EngineErrorKind of(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return CONNECT;
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return TIMEOUT;
            }
        }
        return CONNECTION;
    }
}
