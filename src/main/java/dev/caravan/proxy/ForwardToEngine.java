package dev.caravan.proxy;

import dev.caravan.core.ClientDisconnect;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.EngineErrorKind;
import dev.caravan.core.EngineFailureException;
import dev.caravan.core.GatewayException;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Sends the placed request to its engine and waits, without a thread, for the engine's answer: the
 * head of a stream of events (its body paused until the client is written to), or the whole body of
 * any other answer; the answer step ({@link AnswerClient}) then answers the client. A refused
 * connection, a timeout or a 5xx before the first byte fails the exchange with
 * {@link EngineFailureException}, which the route's error handler retries once on another engine; an
 * engine's 4xx goes to the client as is. A client that closes its connection meanwhile closes the
 * engine request too (vLLM then aborts it), and nothing is retried for it.
 *
 * <p>Asynchronous: the request is written by the Vert.x HTTP client (keep-alive pool per engine)
 * and the route continues on the client's event loop when the engine answers, so no thread waits
 * for an engine, however long it takes.
 */
public class ForwardToEngine extends AsyncProcessorSupport implements AsyncProcessor {

    /**
     * Exchange property: the Vert.x context (event loop) of the client's connection, set by the HTTP
     * layer. The engine request is issued on it, so the engine's answer arrives on the loop that
     * writes the client's response. Issued from a plain thread instead, requests on a keep-alive
     * client connection were sometimes never answered (measured with one wrk connection).
     */
    private static final String CALLER_CONTEXT_PROPERTY = "caravanVertxContext";

    /** The HTTP layer names the event loop of the exchange's client connection. */
    public static void callerContext(Exchange exchange, Context connection) {
        exchange.setProperty(CALLER_CONTEXT_PROPERTY, connection);
    }

    private final HttpClient http;
    private final EngineRegistry registry;
    private final EngineHealthMonitor monitor;
    private final OutcomeRecorder recorder;
    private final EngineRequestShaper shaper;
    private final long responseTimeoutMillis;

    public ForwardToEngine(HttpClient http, EngineRegistry registry, EngineHealthMonitor monitor,
                           OutcomeRecorder recorder, EngineRequestShaper shaper, Duration responseTimeout) {
        this.http = http;
        this.registry = registry;
        this.monitor = monitor;
        this.recorder = recorder;
        this.shaper = shaper;
        this.responseTimeoutMillis = responseTimeout.toMillis();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Attempt attempt;
        try {
            attempt = prepare(exchange, CompletionCall.of(exchange));
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        recorder.sent(attempt.call);
        Context caller = exchange.getProperty(CALLER_CONTEXT_PROPERTY, Context.class);
        if (caller != null && Vertx.currentContext() != caller) {
            caller.runOnContext(v -> send(exchange, attempt, callback));
        } else {
            send(exchange, attempt, callback);
        }
        return false;
    }

    /** One try of a call on one engine: everything decided before it is sent. */
    private record Attempt(CompletionCall call, Engine engine, RequestOptions options, byte[] body,
                           boolean gatewayAskedForUsage, long start) {
    }

    private Attempt prepare(Exchange exchange, CompletionCall call) {
        GatewayException noEngineLeft = call.noEngineLeftError();
        if (noEngineLeft != null) {
            throw noEngineLeft;
        }
        Engine engine = call.decision().engine();
        EngineRequestShaper.Shaped shaped = shaper.shape(call, engine);
        URI uri = engine.endpoint(call.path());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80))
                .setSsl("https".equals(uri.getScheme()))
                .setURI(uri.getRawPath())
                // no byte from the engine for this long: the request fails (before the first byte: retried)
                .setIdleTimeout(responseTimeoutMillis)
                .putHeader("Content-Type", "application/json")
                .putHeader("x-request-id", call.requestId());
        String key = registry.apiKey(engine);
        String auth = key != null ? "Bearer " + key : exchange.getIn().getHeader("Authorization", String.class);
        if (auth != null) {
            options.putHeader("Authorization", auth);
        }
        return new Attempt(call, engine, options, shaped.body(), shaped.gatewayAskedForUsage(), System.nanoTime());
    }

    private void send(Exchange exchange, Attempt attempt, AsyncCallback callback) {
        ClientDisconnect client = ClientDisconnect.of(exchange);
        if (client != null && client.gone()) { // left while it was admitted or placed: the engine is not asked
            exchange.setException(failed(attempt, null, client));
            callback.done(false);
            return;
        }
        http.request(attempt.options)
                .compose(req -> {
                    if (client != null) {
                        // Closing the engine request is how vLLM learns to abort it and free its batch slot.
                        client.onDisconnect(req::reset);
                    }
                    return req.send(Buffer.buffer(attempt.body));
                })
                .onComplete(sent -> {
                    try {
                        if (sent.failed()) {
                            throw failed(attempt, sent.cause(), client);
                        }
                        received(exchange, attempt, sent.result(), client, callback);
                    } catch (Exception e) {
                        exchange.setException(e);
                        callback.done(false);
                    }
                });
    }

    private void received(Exchange exchange, Attempt attempt, HttpClientResponse response, ClientDisconnect client,
                          AsyncCallback callback) {
        if (attempt.call.stream() && response.statusCode() == 200 && eventStream(response)) {
            response.pause(); // until the HTTP layer starts writing: nothing may be lost before then
            new EngineAnswer(attempt.engine, response, null, attempt.gatewayAskedForUsage, attempt.start, -1)
                    .attachTo(exchange);
            callback.done(false);
            return;
        }
        response.body().onComplete(read -> {
            if (client != null) {
                client.clear(); // the engine is done: nothing left to cancel
            }
            try {
                if (read.failed()) {
                    throw failed(attempt, read.cause(), client);
                }
                byte[] body = read.result().getBytes();
                int status = response.statusCode();
                if (status >= 500) {
                    recorder.engineError(attempt.engine, EngineErrorKind.HTTP_5XX);
                    recorder.abandoned(attempt.call, attempt.engine);
                    throw new EngineFailureException(attempt.engine, "Engine " + attempt.engine.id() + " answered "
                            + status + ": " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8), null);
                }
                if (status == 200 && (attempt.call.stream() || !jsonObject(body))) {
                    // Nothing reached the client yet: like a 5xx, it may be tried once elsewhere.
                    recorder.engineError(attempt.engine, EngineErrorKind.INVALID_ANSWER);
                    recorder.abandoned(attempt.call, attempt.engine);
                    throw new EngineFailureException(attempt.engine, "Engine " + attempt.engine.id() + " answered 200 with "
                            + (attempt.call.stream() ? "no event stream" : "no JSON object") + " ("
                            + response.getHeader("Content-Type") + ", " + body.length + " bytes)", null);
                }
                new EngineAnswer(attempt.engine, response, body, false, attempt.start, System.nanoTime()).attachTo(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            callback.done(false);
        });
    }

    private static boolean eventStream(HttpClientResponse response) {
        String type = response.getHeader("Content-Type");
        return type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    /**
     * Whether a whole answer is shaped like a JSON object: its first and last non-blank bytes are braces.
     * Not a parse (AnswerClient reads the usage later): enough to tell an answer from an HTML page or a
     * cut-off body, at the cost of a glance at both ends.
     */
    static boolean jsonObject(byte[] body) {
        int start = 0;
        int end = body.length - 1;
        while (start <= end && body[start] <= ' ') start++;
        while (end >= start && body[end] <= ' ') end--;
        return start < end && body[start] == '{' && body[end] == '}';
    }

    /** Why the engine call failed: the client left (the gateway closed it; not the engine's fault) or the engine. */
    private RuntimeException failed(Attempt attempt, Throwable cause, ClientDisconnect client) {
        Engine engine = attempt.engine;
        if (client != null && client.gone()) {
            recorder.abandoned(attempt.call, engine);
            return ClientDisconnect.clientClosedRequest();
        }
        recorder.engineError(engine, EngineErrorKind.of(cause));
        recorder.abandoned(attempt.call, engine);
        monitor.reportConnectFailure(engine, cause);
        return new EngineFailureException(engine, "Engine " + engine.id() + " is unreachable: " + cause, cause);
    }
}
