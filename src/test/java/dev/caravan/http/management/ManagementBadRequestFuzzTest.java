package dev.caravan.http.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.fixtures.ManagementLogin;
import dev.caravan.fixtures.OpenAiErrorBodies;
import dev.caravan.gateway.GatewayTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * 2,000 generated bad requests to the management port, as raw HTTP/1.1 over a socket (so that broken
 * heads, TRACE and encoded paths reach the server as written), anonymous, with a wrong or malformed
 * login, or as the operator: every answer is a 4xx with an OpenAI error body and no internals, whoever
 * answers it (Spring Security, the error page, an actuator endpoint, Jolokia's HTTP layer, Tomcat
 * itself), and the port is healthy after. Left out on purpose: Jolokia's protocol answers a well-formed
 * request for a missing MBean with 200 and the error inside (what Hawtio and every Jolokia client
 * read), and a browser asking for a page without a login is sent to the login form (302).
 */
@CamelSpringBootTest
@AutoConfigureObservability // the Prometheus endpoint is off in tests without it
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.05"})
class ManagementBadRequestFuzzTest extends GatewayTestSupport {

    private static final int REQUESTS = 2_000;
    private static final String OPERATOR = ManagementLogin.basic(ManagementLogin.USER, ManagementLogin.PASSWORD);
    private static final String[] PROTECTED = {"/actuator", "/actuator/metrics", "/actuator/camelroutes", "/actuator/info",
            "/actuator/jolokia", "/actuator/hawtio/jolokia", "/actuator/metrics/jvm.memory.used"};
    private static final String[] OPEN = {"/actuator/health", "/actuator/health/liveness", "/actuator/prometheus"};

    record Answer(int status, String contentType, String body) { }

    @Test
    void everyBadRequestIsA4xxWithAnOpenAiErrorBodyAndThePortStaysHealthy() throws Exception {
        Random random = new Random(4242L);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            String request = badRequest(random);
            Answer answer = exchange(request);
            String code = OpenAiErrorBodies.code(mapper, answer.body());
            statuses.merge(answer.status() + " " + code, 1, Integer::sum);
            String problem = check(answer);
            if (problem != null) {
                failures.add("#" + i + " " + abbreviated(request.replace("\r\n", " | ")) + ": " + problem);
            }
        }
        System.out.println("Management port bad request answers: " + statuses);
        assertThat(failures).isEmpty();
        assertThat(statuses.keySet()).anyMatch(s -> s.startsWith("400 "))
                .anyMatch(s -> s.equals("401 login_required")).anyMatch(s -> s.startsWith("403 "))
                .anyMatch(s -> s.equals("403 csrf_token_invalid"))
                .anyMatch(s -> s.equals("404 not_found")).anyMatch(s -> s.equals("405 method_not_allowed"));
        assertThat(getManagement("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(getManagementAsOperator("/actuator/metrics").statusCode()).isEqualTo(200);
        assertThat(getManagement("/actuator/prometheus").body()).contains("jvm_memory_used_bytes");
    }

    /** One request with at least one defect; which one, and the login, drawn at random. */
    private String badRequest(Random random) {
        String login = switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> ManagementLogin.basic(ManagementLogin.USER, "wrong-" + random.nextInt(1000));
            case 2 -> random.nextBoolean() ? "Basic !!!not-base64" : "Bearer sk-" + random.nextInt(1000);
            default -> OPERATOR;
        };
        String method = "GET";
        String path;
        String body = null;
        String contentType = null;
        String cookie = null;
        String extraHead = null;
        switch (random.nextInt(10)) {
            case 0 -> path = "/actuator/" + token(random);                           // no such endpoint
            case 1 -> path = "/" + token(random) + "/" + token(random);               // no such path at all
            case 2 -> {                                                               // a method the endpoint does not take
                method = pick(random, "PUT", "DELETE", "PATCH");
                path = pick(random, random.nextBoolean() ? PROTECTED : OPEN);
                if (path.contains("jolokia")) {
                    method = random.nextBoolean() ? "PUT" : "DELETE";
                }
            }
            case 3 -> path = "/actuator/metrics/" + token(random) + "." + token(random); // unknown metric
            case 4 -> path = "/actuator/metrics/jvm.memory.used?tag=" + token(random);   // a tag without "key:value"
            case 5 -> {                                                               // not JSON to Jolokia
                method = "POST";
                path = "/actuator/jolokia";
                contentType = "application/json";
                body = pick(random, "{bad", "not json at all", "\u0000\u0001", "}{");
            }
            case 6 -> {                                                               // what the firewall refuses
                method = random.nextInt(3) == 0 ? "TRACE" : "GET";
                path = pick(random, "/actuator/%2e%2e/metrics", "/actuator/a%2Fb", "/actuator/metrics;x=1", "/actuator//metrics",
                        "/actuator/%25/x", "/actuator/\\metrics", "/actuator/metrics%3B");
                if (method.equals("TRACE")) {
                    path = pick(random, PROTECTED);
                }
            }
            case 7 -> {                                                               // a session cookie without its CSRF token
                method = "POST";
                path = pick(random, PROTECTED);
                cookie = "JSESSIONID=" + token(random).toUpperCase();
                login = null; // a request that brings its own Authorization header needs no token
                contentType = "application/json";
                body = "{\"type\":\"version\"}";
            }
            case 8 -> {                                                               // a head that is not HTTP
                path = pick(random, PROTECTED);
                extraHead = pick(random, "Bad Header Name: x", "X-Big: " + "a".repeat(9_000 + random.nextInt(20_000)), "\u0001: x");
            }
            default -> {                                                              // an endpoint that needs a login, without one
                path = pick(random, PROTECTED);
                if (OPERATOR.equals(login)) {
                    login = null;
                }
            }
        }
        if (random.nextInt(50) == 0) {
            return pick(random, "GARBAGE\r\n\r\n", "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", "GET /actuator HTTP/9.9\r\nHost: x\r\n\r\n");
        }
        StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        r.append("Accept: ").append(random.nextBoolean() ? "application/json" : "*/*").append("\r\n");
        if (login != null) {
            r.append("Authorization: ").append(login).append("\r\n");
        }
        if (cookie != null) {
            r.append("Cookie: ").append(cookie).append("\r\n");
        }
        if (extraHead != null) {
            r.append(extraHead).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            r.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null || !method.equals("GET")) {
            r.append("Content-Length: ").append(content.length).append("\r\n");
        }
        return r.append("\r\n").append(body == null ? "" : body).toString();
    }

    private Answer exchange(String request) throws IOException {
        try (Socket socket = new Socket("localhost", managementPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
            String[] lines = head.split("\r\n");
            int status = lines[0].startsWith("HTTP/1.1 ") ? Integer.parseInt(lines[0].substring(9, 12)) : -1;
            String contentType = "";
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase();
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            return new Answer(status, contentType, chunked ? unchunk(body) : body);
        }
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }

    private String check(Answer answer) throws IOException {
        if ((answer.status() < 400 || answer.status() > 499) && answer.status() != 505) { // 505: RFC 9110's answer to HTTP/9.9
            return "status " + answer.status() + ": " + abbreviated(answer.body());
        }
        String problem = OpenAiErrorBodies.problem(mapper, answer.contentType(), answer.body());
        if (problem != null) {
            return problem;
        }
        JsonNode error = mapper.readTree(answer.body()).get("error");
        if (!error.path("type").isTextual() || !error.path("code").isTextual()) {
            return "no type or code: " + abbreviated(answer.body());
        }
        return null;
    }

    private static String token(Random random) {
        String letters = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = 3 + random.nextInt(10); i < n; i++) {
            s.append(letters.charAt(random.nextInt(letters.length())));
        }
        return s.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static String abbreviated(String s) {
        return OpenAiErrorBodies.abbreviated(s);
    }
}
