package dev.caravan.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.GatewayException;
import dev.caravan.api.ParsedRequest;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineHealthMonitor;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.routing.AdmitRequest;
import dev.caravan.routing.PlaceRequest;
import dev.caravan.routing.PlacementReason;
import dev.caravan.routing.PlacementDecision;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Sends the placed request to its engine and hands the engine's answer to the client: streamed
 * answers as a relay stream the HTTP binding copies chunk by chunk, others whole. A refused
 * connection or a 5xx before the first byte throws {@link EngineFailureException}, which the
 * route's error handler retries once on another engine; an engine's 4xx goes to the client as is.
 */
public class ForwardToEngine implements Processor {

    public static final String ENGINE_HEADER = "x-caravan-engine";
    public static final String REASON_HEADER = "x-caravan-placement";

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final EngineRegistry registry;
    private final EngineHealthMonitor monitor;
    private final OutcomeRecorder recorder;
    private final EngineRequestShaper shaper;
    private final Duration responseTimeout;

    public ForwardToEngine(HttpClient http, ObjectMapper mapper, EngineRegistry registry, EngineHealthMonitor monitor,
                           OutcomeRecorder recorder, EngineRequestShaper shaper, Duration responseTimeout) {
        this.http = http;
        this.mapper = mapper;
        this.registry = registry;
        this.monitor = monitor;
        this.recorder = recorder;
        this.shaper = shaper;
        this.responseTimeout = responseTimeout;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
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
        String requestId = request.placement().requestId();

        EngineRequestShaper.Shaped shaped = shaper.shape(request, engine);
        HttpRequest.Builder b = HttpRequest.newBuilder(engine.endpoint(request.path()))
                .timeout(responseTimeout)
                .header("Content-Type", "application/json")
                .header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(shaped.body()));
        authorize(b, exchange.getIn(), engine);

        long start = System.nanoTime();
        engine.requestStarted();
        AdmitRequest.started(exchange);
        Message out = exchange.getMessage();
        if (request.stream()) {
            HttpResponse<InputStream> response = send(engine, b.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() == 200) {
                learn(step, request, engine);
            } else {
                byte[] error;
                try (InputStream is = response.body()) {
                    error = is.readAllBytes();
                }
                answerWhole(exchange, request, decision, response, error, start);
                return;
            }
            final PlacementDecision placed = decision;
            SseRelayStream relay = new SseRelayStream(response.body(), shaped.gatewayAskedForUsage(), mapper,
                    (responseId, usage, firstByte, end, failed) -> recorder.finished(new RequestOutcome(
                            request.placement(), placed, engine, 200, responseId, usage.promptTokens(),
                            usage.cachedTokens(), usage.completionTokens(),
                            firstByte < 0 ? -1 : firstByte - start, end - start, failed)));
            prepareHeaders(out, requestId, placed);
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            out.setHeader("Cache-Control", "no-cache");
            out.setHeader("X-Accel-Buffering", "no");
            out.setHeader(Exchange.HTTP_CHUNKED, true);
            out.setBody(relay);
        } else {
            HttpResponse<byte[]> response = send(engine, b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200) {
                learn(step, request, engine);
            }
            answerWhole(exchange, request, decision, response, response.body(), start);
        }
    }

    /** The engine took the request: the policy learns where this prompt now lives. */
    private static void learn(PlaceRequest step, ParsedRequest request, Engine engine) {
        if (step != null && !request.placement().promptText().isEmpty()) {
            step.policy().onRouted(request.placement(), engine);
        }
    }

    private void answerWhole(Exchange exchange, ParsedRequest request, PlacementDecision decision,
                             HttpResponse<?> response, byte[] body, long start) {
        Engine engine = decision.engine();
        int status = response.statusCode();
        long end = System.nanoTime();
        if (status >= 500) {
            recorder.abandoned(engine);
            throw new EngineFailureException(engine, "Engine " + engine.id() + " answered " + status + ": "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8), null);
        }
        UsageReport usage = UsageReport.NONE;
        String responseId = null;
        if (status == 200) {
            try {
                JsonNode json = mapper.readTree(body);
                usage = UsageReport.from(json.get("usage"));
                responseId = json.path("id").asText(null);
            } catch (IOException e) {
                // the client still gets exactly what the engine said
            }
        }
        recorder.finished(new RequestOutcome(request.placement(), decision, engine, status, responseId,
                usage.promptTokens(), usage.cachedTokens(), usage.completionTokens(), -1, end - start, false));
        Message out = exchange.getMessage();
        prepareHeaders(out, request.placement().requestId(), decision);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, response.headers().firstValue("content-type").orElse("application/json"));
        out.setBody(body);
    }

    private <T> HttpResponse<T> send(Engine engine, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws InterruptedException {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            recorder.abandoned(engine);
            monitor.reportConnectFailure(engine, e);
            throw new EngineFailureException(engine, "Engine " + engine.id() + " is unreachable: " + e, e);
        }
    }

    private void authorize(HttpRequest.Builder b, Message in, Engine engine) {
        String key = registry.apiKey(engine);
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        } else {
            String auth = in.getHeader("Authorization", String.class);
            if (auth != null) {
                b.header("Authorization", auth);
            }
        }
    }

    /** Only what the client should see: request headers and Camel internals never go back. */
    static void prepareHeaders(Message out, String requestId, PlacementDecision decision) {
        out.removeHeaders("*");
        out.setHeader("x-request-id", requestId);
        out.setHeader(ENGINE_HEADER, decision.engine().id());
        out.setHeader(REASON_HEADER, decision.reason().label());
    }

}
