package dev.caravan.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What of a finished exchange reaches the client: the status, the answer's headers, the body. */
class ExchangeResponseWriterTest {

    private final Vertx vertx = Vertx.vertx();
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        camel.close();
    }

    @Test
    void theAnswersOwnHeadersReachTheClientCamelsAndTransportHeadersDoNot() throws Exception {
        HttpResponse<String> r = get(out -> {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            out.setHeader("Cache-Control", "no-cache");
            out.setHeader("X-Accel-Buffering", "no");
            out.setHeader("x-request-id", "req-7");
            out.setHeader("Connection", "close");
            out.setHeader("Transfer-Encoding", "gzip");
            out.setHeader("JMSMessageID", "ID:broker-1");
            out.setHeader("JMSCorrelationID", "c-1");
            out.setBody("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("data: [DONE]\n\n");
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream; charset=utf-8");
        assertThat(r.headers().firstValue("x-request-id")).contains("req-7");
        assertThat(r.headers().firstValue("x-accel-buffering")).contains("no");
        assertThat(r.headers().firstValue("cache-control")).as("a stream must not be cached by a proxy on the way").contains("no-cache");
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("camel"));
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("jms"));
        assertThat(r.headers().firstValue("connection")).isNotEqualTo("close");
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
    }

    @Test
    void aFailedExchangeStillClosesTheStreamItCarries() throws Exception {
        // a relayed engine stream left on an exchange that then failed: closing it cancels the
        // engine request and records its outcome (the engine slot is freed)
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        HttpResponse<String> r = get(out -> {
            out.setBody((java.io.Closeable) () -> closed.set(true));
            out.getExchange().setException(new IllegalStateException("a bug after the engine answered"));
        });
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("internal_error");
        assertThat(closed).isTrue();
    }

    /** Serves one request whose exchange {@code answer} fills in, written as the API server writes it. */
    private HttpResponse<String> get(Consumer<Message> answer) throws Exception {
        camel.start();
        HeaderFilterStrategy filter = camel.getEndpoint("platform-http:/test", PlatformHttpEndpoint.class).getHeaderFilterStrategy();
        ExchangeResponseWriter writer = new ExchangeResponseWriter(Runnable::run);
        Router router = Router.router(vertx);
        router.route("/test").handler(ctx -> {
            Exchange exchange = new DefaultExchange(camel);
            answer.accept(exchange.getMessage());
            writer.write(ctx, exchange, filter);
        });
        int port = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
