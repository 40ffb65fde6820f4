package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.ClientDisconnect;
import dev.caravan.api.GatewayException;
import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.routing.AdmitRequest;
import dev.caravan.routing.PlaceRequest;
import dev.caravan.routing.PlacementDecision;
import dev.caravan.routing.PlacementReason;
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
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Sends the placed request to its engine and hands the engine's answer to the client: streamed
 * answers as a relay stream the HTTP layer writes event by event, others whole. A refused
 * connection or a 5xx before the first byte fails the exchange with {@link EngineFailureException},
 * which the route's error handler retries once on another engine; an engine's 4xx goes to the
 * client as is. A client that closes its connection before the answer is complete closes the
 * engine request too (vLLM then aborts it), and nothing is retried for it.
 *
 * <p>Asynchronous: the request is written by the Vert.x HTTP client (keep-alive pool per engine)
 * and the route continues on the client's event loop when the engine answers, so no thread waits
 * for an engine, however long it takes.
 */
public class ForwardToEngine extends AsyncProcessorSupport implements AsyncProcessor {

    public static final String ENGINE_HEADER = "x-caravan-engine";
    public static final String REASON_HEADER = "x-caravan-placement";
    /**
     * Exchange property: the Vert.x context (event loop) of the client's connection, set by the HTTP
     * layer. The engine request is issued on it, so the engine's answer arrives on the loop that
     * writes the client's response. Issued from a plain thread instead, requests on a keep-alive
     * client connection were sometimes never answered (measured with one wrk connection).
     */
    public static final String CALLER_CONTEXT_PROPERTY = "caravanVertxContext";

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final EngineRegistry registry;
    private final EngineHealthMonitor monitor;
    private final OutcomeRecorder recorder;
    private final EngineRequestShaper shaper;
    private final long responseTimeoutMillis;

    public ForwardToEngine(HttpClient http, ObjectMapper mapper, EngineRegistry registry, EngineHealthMonitor monitor,
                           OutcomeRecorder recorder, EngineRequestShaper shaper, Duration responseTimeout) {
        this.http = http;
        this.mapper = mapper;
        this.registry = registry;
        this.monitor = monitor;
        this.recorder = recorder;
        this.shaper = shaper;
        this.responseTimeoutMillis = responseTimeout.toMillis();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Call call;
        try {
            call = prepare(exchange);
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        call.engine.requestStarted();
        AdmitRequest.started(exchange);
        Context caller = exchange.getProperty(CALLER_CONTEXT_PROPERTY, Context.class);
        if (caller != null && Vertx.currentContext() != caller) {
            caller.runOnContext(v -> send(exchange, call, callback));
        } else {
            send(exchange, call, callback);
        }
        return false;
    }

    private void send(Exchange exchange, Call call, AsyncCallback callback) {
        ClientDisconnect client = ClientDisconnect.of(exchange);
        if (client != null && client.gone()) { // left while it was admitted or placed: the engine is not asked
            exchange.setException(failed(call.engine, null, client));
            callback.done(false);
            return;
        }
        http.request(call.options)
                .compose(req -> {
                    if (client != null) {
                        // Closing the engine request is how vLLM learns to abort it and free its batch slot.
                        client.onDisconnect(req::reset);
                    }
                    return req.send(Buffer.buffer(call.body));
                })
                .onComplete(sent -> {
                    try {
                        if (sent.failed()) {
                            throw failed(call.engine, sent.cause(), client);
                        }
                        answer(exchange, call, sent.result(), client, callback);
                    } catch (Exception e) {
                        exchange.setException(e);
                        callback.done(false);
                    }
                });
    }

    /** One engine request: everything decided before it is sent. */
    private record Call(ParsedRequest request, PlacementDecision decision, PlaceRequest step, Engine engine,
                        RequestOptions options, byte[] body, boolean gatewayAskedForUsage, long start) {
    }

    private Call prepare(Exchange exchange) {
        ParsedRequest request = exchange.getProperty(ParsedRequest.PROPERTY, ParsedRequest.class);
        GatewayException noEngineLeft = exchange.getProperty(PlaceRequest.FAILOVER_ERROR_PROPERTY, GatewayException.class);
        if (noEngineLeft != null) {
            throw noEngineLeft;
        }
        PlacementDecision decision = exchange.getProperty(PlaceRequest.DECISION_PROPERTY, PlacementDecision.class);
        if (exchange.getProperty(AdmitRequest.QUEUED_PROPERTY, false, Boolean.class)) {
            decision = new PlacementDecision(decision.engine(), PlacementReason.QUEUE);
        }
        PlaceRequest step = exchange.getProperty(PlaceRequest.STEP_PROPERTY, PlaceRequest.class);
        Engine engine = decision.engine();
        EngineRequestShaper.Shaped shaped = shaper.shape(request, engine);
        URI uri = engine.endpoint(request.path());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80))
                .setSsl("https".equals(uri.getScheme()))
                .setURI(uri.getRawPath())
                // no byte from the engine for this long: the request fails (before the first byte: retried)
                .setIdleTimeout(responseTimeoutMillis)
                .putHeader("Content-Type", "application/json")
                .putHeader("x-request-id", request.placement().requestId());
        String key = registry.apiKey(engine);
        String auth = key != null ? "Bearer " + key : exchange.getIn().getHeader("Authorization", String.class);
        if (auth != null) {
            options.putHeader("Authorization", auth);
        }
        return new Call(request, decision, step, engine, options, shaped.body(), shaped.gatewayAskedForUsage(), System.nanoTime());
    }

    private void answer(Exchange exchange, Call call, HttpClientResponse response, ClientDisconnect client,
                        AsyncCallback callback) {
        if (call.request.stream() && response.statusCode() == 200) {
            response.pause(); // until the HTTP layer starts writing: nothing may be lost before then
            learn(call);
            SseRelayStream relay = new SseRelayStream(response, () -> response.request().reset(),
                    call.gatewayAskedForUsage, mapper,
                    (responseId, usage, firstByte, end, failed) -> recorder.finished(new RequestOutcome(
                            call.request.placement(), call.decision, call.engine, 200, responseId, usage.promptTokens(),
                            usage.cachedTokens(), usage.completionTokens(),
                            firstByte < 0 ? -1 : firstByte - call.start, end - call.start, failed)));
            if (client != null) {
                client.onDisconnect(relay::close); // the relay records the outcome and frees the engine slot
            }
            Message out = exchange.getMessage();
            prepareHeaders(out, call.request.placement().requestId(), call.decision);
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            out.setHeader("Cache-Control", "no-cache");
            out.setHeader("X-Accel-Buffering", "no");
            out.setBody(relay);
            callback.done(false);
            return;
        }
        response.body().onComplete(read -> {
            if (client != null) {
                client.clear(); // the engine is done: nothing left to cancel
            }
            try {
                if (read.failed()) {
                    throw failed(call.engine, read.cause(), client);
                }
                if (response.statusCode() == 200) {
                    learn(call);
                }
                answerWhole(exchange, call, response, read.result().getBytes());
            } catch (Exception e) {
                exchange.setException(e);
            }
            callback.done(false);
        });
    }

    /** The engine took the request: the policy learns where this prompt now lives. */
    private static void learn(Call call) {
        if (call.step != null && !call.request.placement().promptText().isEmpty()) {
            call.step.policy().onRouted(call.request.placement(), call.engine);
        }
    }

    private void answerWhole(Exchange exchange, Call call, HttpClientResponse response, byte[] body) {
        Engine engine = call.engine;
        int status = response.statusCode();
        long end = System.nanoTime();
        if (status >= 500) {
            recorder.abandoned(engine);
            throw new EngineFailureException(engine, "Engine " + engine.id() + " answered " + status + ": "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8), null);
        }
        AnswerSummary answer = status == 200 ? AnswerSummary.read(mapper, body, 0, body.length) : AnswerSummary.NONE;
        UsageReport usage = answer.usage();
        recorder.finished(new RequestOutcome(call.request.placement(), call.decision, engine, status, answer.id(),
                usage.promptTokens(), usage.cachedTokens(), usage.completionTokens(), -1, end - call.start, false));
        Message out = exchange.getMessage();
        prepareHeaders(out, call.request.placement().requestId(), call.decision);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        String type = response.getHeader("content-type");
        out.setHeader(Exchange.CONTENT_TYPE, type != null ? type : "application/json");
        out.setBody(body);
    }

    /** Why the engine call failed: the client left (the gateway closed it; not the engine's fault) or the engine. */
    private RuntimeException failed(Engine engine, Throwable cause, ClientDisconnect client) {
        if (client != null && client.gone()) {
            recorder.abandoned(engine);
            return ClientDisconnect.clientClosedRequest();
        }
        return unreachable(engine, cause);
    }

    private EngineFailureException unreachable(Engine engine, Throwable cause) {
        recorder.abandoned(engine);
        monitor.reportConnectFailure(engine, cause);
        return new EngineFailureException(engine, "Engine " + engine.id() + " is unreachable: " + cause, cause);
    }

    /** Only what the client should see: request headers and Camel internals never go back. */
    static void prepareHeaders(Message out, String requestId, PlacementDecision decision) {
        out.removeHeaders("*");
        out.setHeader("x-request-id", requestId);
        out.setHeader(ENGINE_HEADER, decision.engine().id());
        out.setHeader(REASON_HEADER, decision.reason().label());
    }

}
