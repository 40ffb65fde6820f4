package dev.caravan.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.ClientDisconnect;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.SentLoad;
import dev.caravan.core.UsageReport;
import io.vertx.core.http.HttpClientResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The answer step: hands the engine's answer to the client. A stream of events goes out through a
 * relay the HTTP layer writes event by event, as the engine produces them; any other answer goes out
 * whole. The engine that answered 200 took the request (the outcome listeners learn where its prompt
 * now lives), and what the engine reported is recorded when the answer ends: at once for a whole
 * answer, when its last event has passed for a stream.
 */
public class AnswerClient implements Processor {

    public static final String ENGINE_HEADER = "x-caravan-engine";
    public static final String REASON_HEADER = "x-caravan-placement";
    /** Whether the placement's prefix match was the engine's own report (KV events) or the approximate index. */
    public static final String PREFIX_MATCH_HEADER = "x-caravan-prefix-match";

    private final ObjectMapper mapper;
    private final OutcomeRecorder recorder;

    public AnswerClient(ObjectMapper mapper, OutcomeRecorder recorder) {
        this.mapper = mapper;
        this.recorder = recorder;
    }

    @Override
    public void process(Exchange exchange) {
        CompletionCall call = CompletionCall.of(exchange);
        EngineAnswer answer = EngineAnswer.takeFrom(exchange);
        if (answer.streamed()) {
            relay(exchange, call, answer);
        } else {
            whole(exchange, call, answer);
        }
    }

    private void relay(Exchange exchange, CompletionCall call, EngineAnswer answer) {
        HttpClientResponse response = answer.response();
        recorder.accepted(call);
        PlacementDecision decision = call.decision();
        long start = answer.sentNanos();
        SentLoad sent = call.sentLoad();
        SseRelayStream relay = new SseRelayStream(response, () -> response.request().reset(),
                answer.gatewayAskedForUsage(), mapper, () -> recorder.firstByte(call),
                (responseId, usage, firstByte, end, failed) -> recorder.finished(call, new RequestOutcome(
                        call.request(), decision, answer.engine(), 200, responseId, usage.promptTokens(),
                        usage.cachedTokens(), usage.completionTokens(),
                        firstByte < 0 ? -1 : firstByte - start, end - start, failed, sent)));
        ClientDisconnect client = ClientDisconnect.of(exchange);
        if (client != null) {
            client.onDisconnect(relay::close); // the relay records the outcome and frees the engine slot
        }
        Message out = exchange.getMessage();
        prepareHeaders(out, call.requestId(), decision);
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        out.setHeader("Cache-Control", "no-cache");
        out.setHeader("X-Accel-Buffering", "no");
        out.setBody(relay);
    }

    private void whole(Exchange exchange, CompletionCall call, EngineAnswer answer) {
        HttpClientResponse response = answer.response();
        int status = response.statusCode();
        byte[] body = answer.body();
        if (status == 200) {
            recorder.accepted(call);
        }
        AnswerSummary summary = status == 200 ? AnswerSummary.read(mapper, body, 0, body.length) : AnswerSummary.NONE;
        UsageReport usage = summary.usage();
        recorder.finished(call, new RequestOutcome(call.request(), call.decision(), answer.engine(), status, summary.id(),
                usage.promptTokens(), usage.cachedTokens(), usage.completionTokens(), -1,
                answer.receivedNanos() - answer.sentNanos(), false, call.sentLoad()));
        Message out = exchange.getMessage();
        prepareHeaders(out, call.requestId(), call.decision());
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        String type = response.getHeader("content-type");
        out.setHeader(Exchange.CONTENT_TYPE, type != null ? type : "application/json");
        out.setBody(body);
    }

    /** Only what the client should see: request headers and Camel internals never go back. */
    static void prepareHeaders(Message out, String requestId, PlacementDecision decision) {
        out.removeHeaders("*");
        out.setHeader("x-request-id", requestId);
        out.setHeader(ENGINE_HEADER, decision.engine().id());
        out.setHeader(REASON_HEADER, decision.reason().label());
        if (decision.prefixMatch() != dev.caravan.core.PrefixMatchSource.NONE) {
            out.setHeader(PREFIX_MATCH_HEADER, decision.prefixMatch().label());
        }
    }
}
