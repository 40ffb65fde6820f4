package dev.caravan.http.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's own refusals on the management port (a request it will not map, such as an encoded slash
 * in the path, before any servlet or filter runs) in the OpenAI error format instead of Tomcat's HTML
 * page, with Tomcat's reason ("Invalid character found in the HTTP header name"). It writes only when
 * nothing else has: the error page and {@link ManagementErrorBodies} answer
 * everything that reaches the application.
 */
final class OpenAiErrorReportValve extends ErrorReportValve {

    private final ObjectMapper mapper;

    OpenAiErrorReportValve(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            String body = mapper.writeValueAsString(OpenAiErrorResponse.body(mapper,
                    ManagementErrors.of(status, request.getRequestURI(), throwable, response.getMessage())));
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone, or the response could not be written: nothing more to tell it
        }
    }
}
