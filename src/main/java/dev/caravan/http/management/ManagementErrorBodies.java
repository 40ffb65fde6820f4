package dev.caravan.http.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import dev.caravan.core.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Error answers that do not pass the error page get the OpenAI error body too: an actuator endpoint's
 * bare 404 (an unknown metric name), Jolokia's plain-text 400 for a body that is not JSON. While the
 * status is an error, what the endpoint writes is held back (the first 1 KiB kept, as the message's
 * detail when it is text), and the OpenAI body is written in its place. Successful answers pass
 * untouched and unbuffered (Prometheus scrapes, Hawtio's files, Jolokia, whose own protocol answers
 * a failed MBean operation with 200 and the error inside). Health is left alone: its 503 body lists
 * the components that are down, which is what a probe or an operator reads.
 */
final class ManagementErrorBodies extends OncePerRequestFilter {

    private static final int DETAIL_BYTES = 1024;
    /** Marks a request whose error answer is written in the OpenAI format already ({@link #answer}). */
    private static final String ANSWERED = ManagementErrorBodies.class.getName() + ".answered";
    private final ObjectMapper mapper;

    ManagementErrorBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ErrorCapture capture = new ErrorCapture(request, response);
        chain.doFilter(request, capture);
        if (capture.errorSent || response.isCommitted() || response.getStatus() < 400 || !capture.needsBody()) {
            return;
        }
        write(response, mapper, ManagementErrors.of(response.getStatus(), request.getRequestURI(), null, capture.detail()));
    }

    /** Answers the error in the OpenAI format, and marks the request so that this filter lets the answer pass. */
    static void answer(HttpServletRequest request, HttpServletResponse response, ObjectMapper mapper, GatewayException error)
            throws IOException {
        request.setAttribute(ANSWERED, Boolean.TRUE);
        response.setStatus(error.status());
        write(response, mapper, error);
    }

    private static void write(HttpServletResponse response, ObjectMapper mapper, GatewayException error) throws IOException {
        byte[] body = mapper.writeValueAsBytes(OpenAiErrorResponse.body(mapper, error));
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Passes everything through, except the body of an error status set by the endpoint itself. */
    private static final class ErrorCapture extends HttpServletResponseWrapper {
        boolean errorSent;
        private final HttpServletRequest request;
        private boolean wrote;
        private ByteArrayOutputStream held;
        private PrintWriter heldWriter;
        private String heldType;

        ErrorCapture(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            errorSent = true; // the error page answers, in ManagementErrorAttributes' format
            super.sendError(sc, msg);
        }

        @Override
        public void sendError(int sc) throws IOException {
            errorSent = true;
            super.sendError(sc);
        }

        boolean needsBody() {
            return held != null || !wrote;
        }

        private boolean holding() {
            if (held == null && !wrote && !errorSent && getStatus() >= 400 && request.getAttribute(ANSWERED) == null) {
                held = new ByteArrayOutputStream();
                heldType = getContentType();
            }
            return held != null;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (holding()) {
                return new HeldStream(held);
            }
            wrote = true;
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (holding()) {
                if (heldWriter == null) {
                    heldWriter = new PrintWriter(new java.io.OutputStreamWriter(new HeldStream(held), StandardCharsets.UTF_8));
                }
                return heldWriter;
            }
            wrote = true;
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            if (held == null) {
                super.flushBuffer();
            }
        }

        @Override
        public void setContentLength(int len) {
            if (held == null) {
                super.setContentLength(len);
            }
        }

        @Override
        public void setContentLengthLong(long len) {
            if (held == null) {
                super.setContentLengthLong(len);
            }
        }

        /** The held body's last line when it was plain text (Jolokia: "Invalid JSON request"), else null. */
        String detail() {
            if (held == null || held.size() == 0 || heldType == null || !heldType.startsWith("text/plain")) {
                return null;
            }
            if (heldWriter != null) {
                heldWriter.flush();
            }
            String text = held.toString(StandardCharsets.UTF_8).strip();
            String last = text.substring(text.lastIndexOf('\n') + 1).strip();
            return last.isEmpty() ? null : last;
        }
    }

    /** Keeps the first {@link #DETAIL_BYTES} written and drops the rest. */
    private static final class HeldStream extends ServletOutputStream {
        private final ByteArrayOutputStream held;

        HeldStream(ByteArrayOutputStream held) {
            this.held = held;
        }

        @Override
        public void write(int b) {
            if (held.size() < DETAIL_BYTES) {
                held.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            held.write(b, off, Math.max(0, Math.min(len, DETAIL_BYTES - held.size())));
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException("The management port's error bodies are written synchronously");
        }
    }
}
