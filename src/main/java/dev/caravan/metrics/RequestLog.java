package dev.caravan.metrics;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.core.WorkflowMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One log line per completion request on logger {@code caravan.request}: when its answer ends
 * (engine, placement reason, tokens, time to first token, latency) or when the gateway answers it
 * with an error itself (status and error code). The fields are in the MDC while the line is written,
 * so Spring Boot's structured logging ({@code logging.structured.format.console=ecs} or
 * {@code logstash}) writes each as a JSON field; the text line carries them too. Turn it off with
 * {@code logging.level.caravan.request=warn}.
 */
public class RequestLog implements RequestOutcomeListener {

    static final String LOGGER = "caravan.request";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final String[] KEYS = {"request_id", "workflow_id", "agent_id", "model", "engine",
            "placement_reason", "prefix_match", "status", "prompt_tokens", "cached_tokens", "completion_tokens", "ttft_ms",
            "latency_ms", "route", "error_code"};

    @Override
    public void onOutcome(RequestOutcome o) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        WorkflowMetadata wf = o.request().workflow();
        String status = o.failedMidStream() ? "stream_error" : Integer.toString(o.status());
        String ttft = o.ttftNanos() < 0 ? "" : millis(o.ttftNanos());
        String latency = millis(o.durationNanos());
        try {
            put("request_id", o.request().requestId());
            put("workflow_id", wf == null ? null : wf.workflowId());
            put("agent_id", wf == null ? null : wf.agentId());
            put("model", o.request().model());
            put("engine", o.engine().id());
            put("placement_reason", o.decision().reason().label());
            put("prefix_match", o.decision().prefixMatch().label());
            put("status", status);
            put("prompt_tokens", count(o.promptTokens()));
            put("cached_tokens", count(o.cachedTokens()));
            put("completion_tokens", count(o.completionTokens()));
            put("ttft_ms", ttft);
            put("latency_ms", latency);
            LOG.info("request={} workflow={} agent={} engine={} reason={} prefix_match={} status={} prompt_tokens={} cached_tokens={}"
                            + " completion_tokens={} ttft_ms={} latency_ms={}",
                    o.request().requestId(), wf == null ? "-" : wf.workflowId(), wf == null ? "-" : wf.agentId(),
                    o.engine().id(), o.decision().reason().label(), o.decision().prefixMatch().label(), status, count(o.promptTokens()),
                    count(o.cachedTokens()), count(o.completionTokens()), ttft.isEmpty() ? "-" : ttft, latency);
        } finally {
            clear();
        }
    }

    /**
     * The gateway answered a request with an error itself (bad input, no engine, queue full, every
     * engine failed, client gone). {@code call} is null when the request was refused before it was parsed.
     */
    public void refused(String route, CompletionCall call, int status, String code) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        WorkflowMetadata wf = call == null ? null : call.workflow();
        String requestId = call == null ? null : call.requestId();
        String engine = call == null || call.decision() == null ? null : call.decision().engine().id();
        try {
            put("request_id", requestId);
            put("workflow_id", wf == null ? null : wf.workflowId());
            put("agent_id", wf == null ? null : wf.agentId());
            put("model", call == null ? null : call.model());
            put("engine", engine);
            put("status", Integer.toString(status));
            put("route", route);
            put("error_code", code);
            LOG.info("request={} workflow={} agent={} engine={} route={} status={} error={}",
                    requestId == null ? "-" : requestId, wf == null ? "-" : wf.workflowId(),
                    wf == null ? "-" : wf.agentId(), engine == null ? "-" : engine, route, status, code);
        } finally {
            clear();
        }
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    private static void clear() {
        for (String k : KEYS) {
            MDC.remove(k);
        }
    }

    private static String count(long n) {
        return n < 0 ? "" : Long.toString(n);
    }

    private static String millis(long nanos) {
        long tenths = nanos / 100_000;
        return (tenths / 10) + "." + (tenths % 10);
    }
}
