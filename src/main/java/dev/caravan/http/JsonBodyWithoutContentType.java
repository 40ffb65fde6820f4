package dev.caravan.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The API only speaks JSON, but curl's {@code -d} sends it labelled as a form, and some clients
 * send no Content-Type at all. Left alone, the body handler would decode such a body as form
 * fields, so POST bodies without a JSON type are relabelled before the body is read.
 */
final class JsonBodyWithoutContentType implements Handler<RoutingContext> {

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.POST) {
            String type = request.getHeader("Content-Type");
            if (type == null || type.startsWith("application/x-www-form-urlencoded") || type.startsWith("text/plain")) {
                request.headers().set("Content-Type", "application/json");
            }
        }
        ctx.next();
    }
}
