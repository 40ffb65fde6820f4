package dev.caravan.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A seeded generator of requests the API port must refuse, over every route the YAML files expose
 * (routes/*.camel.yaml). Every request it makes is wrong in at least one way the gateway (or the engine
 * behind it, for fields only vLLM checks) refuses, so any 2xx is a finding, not noise. Polls and streams
 * are only generated with a bad id or parameter: a valid one would long-poll or stay open.
 */
final class BadRequests {

    /**
     * One generated request; {@code what} names the fault for assertion messages. {@code fillerHeaderBytes} is
     * the size of an {@code X-Filler} header to add (0: none); {@code expectedStatus} the one status it must get
     * whatever the key (0: any 4xx).
     */
    record BadRequest(String what, String method, String path, String contentType, byte[] body,
                      int fillerHeaderBytes, int expectedStatus) {
        @Override
        public String toString() {
            String shown = path.length() > 200 ? path.substring(0, 200) + "...(" + path.length() + " chars)" : path;
            return method + " " + shown + " (" + what + ")" + (fillerHeaderBytes > 0 ? " +" + fillerHeaderBytes + " header bytes" : "");
        }
    }

    private static final String MODEL = GatewayTestSupport.MODEL;
    private static final String CHAT_MESSAGES = "[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String WORKFLOW = "fuzzed";

    private final Random random;
    private final List<Supplier<BadRequest>> generators = new ArrayList<>();

    BadRequests(long seed) {
        this.random = new Random(seed);
        generators.add(this::chatWithBrokenBody);
        generators.add(this::chatWithWrongTypedField);
        generators.add(this::chatWithBadValue);
        generators.add(this::legacyCompletionWithBadBody);
        generators.add(this::passthroughWithBadBody);
        generators.add(this::sendWithBadBody);
        generators.add(this::sendWithBadWorkflowId);
        generators.add(this::pollWithBadQuery);
        generators.add(this::pollOrStreamWithBadIds);
        generators.add(this::acknowledgeWithBadBody);
        generators.add(this::workflowEndpointWithBadId);
        generators.add(this::workflowListWithBadPage);
        generators.add(this::wrongMethod);
        generators.add(this::unknownPath);
        generators.add(this::invalidUtf8);
        generators.add(this::overLongHead);
    }

    BadRequest next() {
        return generators.get(random.nextInt(generators.size())).get();
    }

    /** Bodies over the 10 MiB limit: few, as each costs 11 MiB on the wire. */
    BadRequest oversized() {
        String path = pick("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/tokenize",
                "/v1/workflows/" + WORKFLOW + "/messages");
        String filler = "x".repeat(11 * 1024 * 1024);
        return post("oversized body", path, "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + filler + "\",\"payload\":1}");
    }

    // ---- completions ---------------------------------------------------------------------------

    private BadRequest chatWithBrokenBody() {
        String valid = chat("");
        return post(brokenKind(), pick("/v1/chat/completions", "/v1/completions"), broken(valid));
    }

    private BadRequest chatWithWrongTypedField() {
        String field = pick("model", "messages", "max_tokens", "stream", "workflow_metadata", "messages[0]",
                "messages[0].role", "messages[0].content", "workflow_metadata.workflow_id",
                "workflow_metadata.agent_id", "workflow_metadata.context_sharing_strategy",
                "workflow_metadata.workflow_priority", "workflow_metadata.parent_request_id");
        String wrong = wrongTypeFor(field);
        String body = switch (field) {
            case "model" -> "{\"model\":" + wrong + ",\"messages\":" + CHAT_MESSAGES + "}";
            case "messages" -> "{\"model\":\"" + MODEL + "\",\"messages\":" + wrong + "}";
            case "messages[0]" -> "{\"model\":\"" + MODEL + "\",\"messages\":[" + wrong + "]}";
            case "messages[0].role" -> "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":" + wrong
                    + ",\"content\":\"hi\"}]}";
            case "messages[0].content" -> "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                    + wrong + "}]}";
            default -> {
                if (field.startsWith("workflow_metadata.")) {
                    String inner = field.substring("workflow_metadata.".length());
                    String others = inner.equals("workflow_id") ? "" : "\"workflow_id\":\"" + WORKFLOW + "\",";
                    yield chat(",\"workflow_metadata\":{" + others + "\"" + inner + "\":" + wrong + "}");
                }
                yield chat(",\"" + field + "\":" + wrong).replace("\"max_tokens\":2,\"max_tokens\"", "\"max_tokens\"");
            }
        };
        return post("wrong type for " + field, "/v1/chat/completions", body);
    }

    private BadRequest chatWithBadValue() {
        int kind = random.nextInt(8);
        return switch (kind) {
            case 0 -> post("negative max_tokens", "/v1/chat/completions",
                    "{\"model\":\"" + MODEL + "\",\"messages\":" + CHAT_MESSAGES + ",\"max_tokens\":" + -(1 + random.nextInt(1_000_000)) + "}");
            case 1 -> post("huge max_tokens", "/v1/chat/completions",
                    "{\"model\":\"" + MODEL + "\",\"messages\":" + CHAT_MESSAGES + ",\"max_tokens\":" + pick("1e400",
                            "99999999999999999999999", "9223372036854775808", "1.5") + "}");
            case 2 -> post("unknown model", pick("/v1/chat/completions", "/v1/completions"),
                    chat("").replace(MODEL, "no-such-model-" + random.nextInt(1000)) + "");
            case 3 -> post("empty messages", "/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[]}");
            case 4 -> post("workflow id with control character", "/v1/chat/completions",
                    chat(",\"workflow_metadata\":{\"workflow_id\":\"a\\u00" + hex2(1 + random.nextInt(31)) + "b\"}"));
            case 5 -> post("workflow id too long", "/v1/chat/completions",
                    chat(",\"workflow_metadata\":{\"workflow_id\":\"" + "w".repeat(dev.caravan.core.WorkflowIds.MAX_TRACKED + 1 + random.nextInt(2000)) + "\"}"));
            case 6 -> post("parent request id too long", "/v1/chat/completions",
                    chat(",\"workflow_metadata\":{\"workflow_id\":\"w\",\"parent_request_id\":\"" + "p".repeat(257) + "\"}"));
            default -> post("unknown context sharing strategy", "/v1/chat/completions",
                    chat(",\"workflow_metadata\":{\"workflow_id\":\"w\",\"context_sharing_strategy\":\"" + word() + "\"}"));
        };
    }

    private BadRequest legacyCompletionWithBadBody() {
        String prompt = pick("{}", "42", "true", "null", "[{}]", "[[\"a\"]]", "[1.5]");
        return post("bad prompt " + prompt, "/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":" + prompt + "}");
    }

    private BadRequest passthroughWithBadBody() {
        String path = pick("/v1/embeddings", "/tokenize", "/detokenize");
        int kind = random.nextInt(4);
        String body = switch (kind) {
            case 0 -> broken("{\"model\":\"" + MODEL + "\",\"input\":\"hello\"}");
            case 1 -> pick("[1]", "\"hello\"", "42", "null");
            case 2 -> "{\"model\":" + wrongTypeFor("model") + ",\"input\":\"hello\"}";
            default -> "{\"model\":\"no-such-model\",\"input\":\"hello\",\"prompt\":\"x\",\"tokens\":[1]}";
        };
        return post(kind <= 1 ? "broken body" : "bad model", path, body);
    }

    // ---- messaging -----------------------------------------------------------------------------

    private BadRequest sendWithBadBody() {
        String valid = "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":{\"n\":1}}";
        String path = "/v1/workflows/" + WORKFLOW + "/messages";
        int kind = random.nextInt(6);
        return switch (kind) {
            case 0 -> post(brokenKind(), path, broken(valid));
            case 1 -> post("no payload", path, "{\"source_agent\":\"a\",\"target_agent\":\"b\"}");
            case 2 -> {
                // last: Jackson keeps the last of duplicate keys, so the wrong type is what the gateway reads
                String field = pick("source_agent", "target_agent", "message_type", "ttl");
                yield post("wrong type for " + field, path,
                        valid.substring(0, valid.length() - 1) + ",\"" + field + "\":" + wrongTypeFor(field) + "}");
            }
            case 3 -> post("bad agent id", path, valid.replace("\"b\"", "\"" + badId() + "\""));
            case 4 -> post("bad ttl", path, valid.replace("\"payload\"", "\"ttl\":" + pick("-1", "0", "1e30", "-0.5",
                    "99999999999") + ",\"payload\""));
            default -> post("bad message_type", path, valid.replace("\"payload\"", "\"message_type\":\"" + word()
                    + "\",\"payload\""));
        };
    }

    private BadRequest sendWithBadWorkflowId() {
        return post("bad workflow id", "/v1/workflows/" + badIdInPath() + "/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
    }

    private BadRequest pollWithBadQuery() {
        String param = pick("timeout", "max_messages", "visibility_timeout", "ack");
        String value = switch (param) {
            case "ack" -> word();
            case "max_messages" -> pick("0", "-1", "abc", "1.5", "99999999999999999999", "%00", "");
            default -> pick("-1", "-0.001", "abc", "1e400", "NaN", "-Infinity", "%01");
        };
        String query = param + "=" + value;
        if (param.equals("visibility_timeout")) {
            query = "ack=manual&" + query;
        } else if (param.equals("max_messages") && value.isEmpty()) {
            query = "max_messages=0";
        }
        return request("bad query " + query, "GET", "/v1/workflows/" + WORKFLOW + "/agents/a/messages?" + query, null, null);
    }

    private BadRequest pollOrStreamWithBadIds() {
        String suffix = pick("/messages", "/messages/stream");
        boolean badWorkflow = random.nextBoolean();
        String path = "/v1/workflows/" + (badWorkflow ? badIdInPath() : WORKFLOW) + "/agents/"
                + (badWorkflow ? "a" : badIdInPath()) + suffix + "?timeout=0";
        return request(badWorkflow ? "bad workflow id" : "bad agent id", "GET", path, null, null);
    }

    private BadRequest acknowledgeWithBadBody() {
        String path = "/v1/workflows/" + (random.nextInt(5) == 0 ? badIdInPath() : WORKFLOW) + "/agents/a/messages/ack";
        String body = pick("{}", "{\"message_ids\":\"m1\"}", "{\"message_ids\":[1,2]}", "{\"message_ids\":[null]}",
                "{\"message_ids\":{}}", "[\"m1\"]", "{\"message_ids\":[\"m1\"]", "", "null", "{\"message_ids\":[[\"m\"]]}");
        return post("bad ack body", path, path.contains(WORKFLOW) ? body : "{\"message_ids\":[\"m1\"]}");
    }

    // ---- workflows -----------------------------------------------------------------------------

    private BadRequest workflowEndpointWithBadId() {
        String id = badIdInPath();
        return random.nextBoolean()
                ? request("status of bad workflow id", "GET", "/v1/workflows/" + id + "/status", null, null)
                : request("delete of bad workflow id", "DELETE", "/v1/workflows/" + id, null, null);
    }

    private BadRequest workflowListWithBadPage() {
        String param = pick("offset", "limit");
        String value = param.equals("limit") ? pick("0", "-5", "100000", "abc", "1.5", "99999999999")
                : pick("-1", "abc", "1e3", "99999999999", "0x10");
        return request("bad page " + param + "=" + value, "GET", "/v1/workflows?" + param + "=" + value, null, null);
    }

    // ---- protocol ------------------------------------------------------------------------------

    private BadRequest wrongMethod() {
        record Route(String path, String allowed) { }
        Route route = pick(new Route("/v1/chat/completions", "POST"), new Route("/v1/completions", "POST"),
                new Route("/v1/embeddings", "POST"), new Route("/tokenize", "POST"), new Route("/detokenize", "POST"),
                new Route("/v1/models", "GET"), new Route("/health", "GET"), new Route("/v1/workflows", "GET"),
                new Route("/v1/workflows/stats", "GET"), new Route("/v1/workflows/" + WORKFLOW + "/status", "GET"),
                new Route("/v1/workflows/" + WORKFLOW + "/messages", "POST"),
                new Route("/v1/workflows/" + WORKFLOW + "/agents/a/messages", "GET"),
                new Route("/v1/workflows/" + WORKFLOW + "/agents/a/messages/ack", "POST"),
                new Route("/v1/workflows/" + WORKFLOW + "/agents/a/messages/stream", "GET"));
        String method;
        do {
            method = pick("GET", "POST", "PUT", "PATCH", "DELETE");
        } while (method.equals(route.allowed()));
        if (route.path().equals("/v1/workflows/" + WORKFLOW + "/status") && method.equals("DELETE")) {
            method = "PUT"; // DELETE on a workflow is its own route (/v1/workflows/{id})
        }
        byte[] body = method.equals("GET") || method.equals("DELETE") ? null : chat("").getBytes(StandardCharsets.UTF_8);
        return request("method " + method + " not allowed", method, route.path(), body == null ? null : "application/json", body);
    }

    private BadRequest unknownPath() {
        String path = pick("/v1/no-such-endpoint", "/v1/chat", "/v1/chat/completions/extra", "/v2/chat/completions",
                "/v1/workflows/" + WORKFLOW + "/agents", "/v1/workflows/" + WORKFLOW + "/agents/a/messages/ack/x",
                "/v1/models/" + word() + "/x", "/" + word(), "/v1/engines", "/v1/" + word());
        return request("unknown path", pick("GET", "POST"), path, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A request line over the default 4 KB (414) or headers over the default 8 KB (431), on any route: the HTTP
     * decoder refuses it before the key check, so the status is the same with or without a valid key.
     */
    private BadRequest overLongHead() {
        String path = pick("/v1/chat/completions", "/v1/models", "/v1/workflows/" + WORKFLOW + "/status",
                "/v1/workflows/" + WORKFLOW + "/agents/a/messages", "/tokenize", "/health", "/" + word());
        String method = path.endsWith("completions") || path.equals("/tokenize") ? "POST" : "GET";
        byte[] body = method.equals("POST") ? chat("").getBytes(StandardCharsets.UTF_8) : null;
        String type = body == null ? null : "application/json";
        if (random.nextBoolean()) {
            String longPath = random.nextBoolean() ? path + "?q=" + "u".repeat(4200 + random.nextInt(8000))
                    : "/v1/workflows/" + "w".repeat(4200 + random.nextInt(8000)) + "/status";
            return new BadRequest("request line too long", method, longPath, type, body, 0, 414);
        }
        return new BadRequest("headers too large", method, path, type, body, 8300 + random.nextInt(12000), 431);
    }

    private BadRequest invalidUtf8() {
        String path = pick("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
                "/v1/workflows/" + WORKFLOW + "/messages", "/v1/workflows/" + WORKFLOW + "/agents/a/messages/ack");
        byte[] prefix = "{\"model\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] bad = pick(new byte[] {(byte) 0xC3, (byte) 0x28}, new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});
        byte[] body = new byte[prefix.length + bad.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(bad, 0, body, prefix.length, bad.length);
        return request("invalid UTF-8", "POST", path, contentType(), body);
    }

    // ---- pieces --------------------------------------------------------------------------------

    private static String chat(String extra) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":" + CHAT_MESSAGES + ",\"max_tokens\":2" + extra + "}";
    }

    private String pendingBreak;

    private String brokenKind() {
        pendingBreak = pick("truncated", "not an object", "garbage", "trailing bytes", "empty", "unbalanced", "single quotes",
                "nul bytes", "deep nesting");
        return pendingBreak;
    }

    /** The valid body broken the way {@link #brokenKind()} last chose. */
    private String broken(String valid) {
        String kind = pendingBreak == null ? brokenKind() : pendingBreak;
        pendingBreak = null;
        return switch (kind) {
            case "truncated" -> valid.substring(0, 1 + random.nextInt(valid.length() - 2));
            case "not an object" -> pick("[1,2]", "\"text\"", "42", "true", "null", "[" + valid + "]");
            case "garbage" -> randomAscii(1 + random.nextInt(64));
            case "trailing bytes" -> valid + pick(" {}", "x", ",", "]", "}");
            case "empty" -> pick("", " ", "\r\n");
            case "unbalanced" -> valid.replace("}", "]");
            case "single quotes" -> valid.replace('"', '\'');
            case "nul bytes" -> valid.replace(":", ":\u0000");
            default -> "[".repeat(5000 + random.nextInt(5000));
        };
    }

    private String wrongTypeFor(String field) {
        return switch (field) {
            case "max_tokens", "ttl", "workflow_metadata.workflow_priority" ->
                    pick("\"two\"", "true", "[]", "{}", "\"\"");
            case "stream" -> pick("\"yes\"", "1", "[]", "{}", "\"true\"");
            case "messages" -> pick("\"hi\"", "{}", "42", "null", "true");
            case "messages[0]" -> pick("\"hi\"", "42", "null", "[]", "{}");
            case "messages[0].content" -> pick("42", "true", "{}", "1.5", "[42]"); // [] is an empty list of parts
            case "workflow_metadata" -> pick("\"w\"", "42", "[]", "true");
            default -> pick("42", "true", "[]", "{}", "1.5"); // strings: model, role, ids, ...
        };
    }

    /** An id that no endpoint accepts, as the JSON string content it would be sent in. */
    private String badId() {
        return switch (random.nextInt(4)) {
            case 0 -> "a\\u00" + hex2(1 + random.nextInt(31)) + "b";
            case 1 -> "x".repeat(200 + random.nextInt(800));
            case 2 -> "";
            default -> "a" + pick(".", "/", " ", "#", "*", ">", "%") + "b";
        };
    }

    /** A path segment the workflow and messaging routes refuse: control characters, too long, empty, ... */
    private String badIdInPath() {
        return switch (random.nextInt(5)) {
            case 0 -> "a%" + hex2(1 + random.nextInt(31)) + "b";
            case 1 -> "w".repeat(200 + random.nextInt(800));
            case 2 -> "%20";
            case 3 -> "a" + pick(".", "%2F", "%23", "*", "%3E", "%25", "%7F", "%C3%28") + "b";
            default -> "";
        };
    }

    private BadRequest post(String what, String path, String body) {
        return request(what, "POST", path, contentType(), body.getBytes(StandardCharsets.UTF_8));
    }

    private BadRequest request(String what, String method, String path, String contentType, byte[] body) {
        return new BadRequest(what, method, path, contentType, body, 0, 0);
    }

    /** Mostly JSON, sometimes what clients wrongly send (the gateway reads JSON whatever the label). */
    private String contentType() {
        return random.nextInt(3) > 0 ? "application/json"
                : pick("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                        "application/xml", "application/json; charset=latin1", null);
    }

    private String word() {
        return "w" + Integer.toString(random.nextInt(1 << 20), 36);
    }

    private String randomAscii(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = (char) (33 + random.nextInt(94));
            sb.append(c == '{' || c == '[' || c == '"' || Character.isDigit(c) || c == '-' ? 'x' : c);
        }
        return sb.toString();
    }

    private static String hex2(int n) {
        return String.format("%02x", n);
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
