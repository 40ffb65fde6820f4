package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;
import dev.caravan.core.CompletionCall;
import dev.caravan.metrics.ErrorResponseMetrics;
import dev.caravan.metrics.RequestLog;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Writes the exception caught on a route as an OpenAI error body. Anything that is not a
 * {@link GatewayException} is a gateway bug and answers 500 without leaking internals.
 */
@Component("openAiErrorResponse")
public class OpenAiErrorResponse implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrorResponse.class);
    private final ObjectMapper mapper;
    private final ErrorResponseMetrics metrics;
    private final RequestLog requestLog;

    public OpenAiErrorResponse(ObjectMapper mapper, ErrorResponseMetrics metrics, RequestLog requestLog) {
        this.mapper = mapper;
        this.metrics = metrics;
        this.requestLog = requestLog;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayException error = find(cause);
        if (error == null) {
            LOG.error("Unexpected failure on route {}", exchange.getFromRouteId(), cause);
            error = new GatewayException(500, "internal_error", "internal_error", null,
                    "The gateway failed to process the request", null);
        }
        metrics.answered(exchange.getFromRouteId(), error.status(), error.code());
        requestLog.refused(exchange.getFromRouteId(), CompletionCall.ifParsed(exchange), error.status(), error.code());
        Message out = exchange.getMessage();
        out.removeHeaders("*", "x-request-id");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (error.retryAfterSeconds() != null) {
            out.setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        out.setBody(mapper.writeValueAsBytes(body(mapper, error)));
    }

    public static ObjectNode body(ObjectMapper mapper, GatewayException error) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", error.getMessage());
        e.put("type", error.type());
        e.put("param", error.param());
        e.put("code", error.code());
        return root;
    }

    /**
     * The error for a bare HTTP status that no handler named (its reason phrase, code from the status
     * name): the API port's fallback and the management port's. 505 is the client's HTTP version, so
     * it is typed as the client's error like a 4xx.
     */
    public static GatewayException forStatus(int status, String detail) {
        HttpStatus http = HttpStatus.resolve(status);
        String reason = http == null ? "Request failed" : http.getReasonPhrase();
        return new GatewayException(status, status < 500 || status == 505 ? "invalid_request_error" : "internal_error",
                http == null ? "error" : http.name().toLowerCase(Locale.ROOT), null,
                detail == null ? reason : reason + ": " + detail, null);
    }

    private static GatewayException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GatewayException g) {
                return g;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
