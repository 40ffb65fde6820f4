package dev.caravan.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Maps vLLM's HTTP endpoints (plus {@code /sim/faults} and {@code /sim/stats}) onto the engine.
 * Decides status codes and error bodies; generation itself is the scheduler's business.
 */
final class SimulatorHttpApi implements HttpHandler {

    private final SimulatorConfig config;
    private final SimulatedTokenizer tokenizer;
    private final SimulatedOutput output;
    private final SimulatedEmbedding embedding;
    private final EngineScheduler scheduler;
    private final PrefixCache cache;
    private final SimulatorStats stats;
    private final SimulatorFaults faults;
    private final VllmMetricsExposition metrics;
    private final OpenAiShapes shapes;
    private final ObjectMapper mapper;
    private final Executor executor;
    private final long startedAt = System.currentTimeMillis() / 1000;

    SimulatorHttpApi(SimulatorConfig config, SimulatedTokenizer tokenizer, EngineScheduler scheduler, PrefixCache cache,
                     SimulatorStats stats, SimulatorFaults faults, Executor executor) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.output = new SimulatedOutput(tokenizer);
        this.embedding = new SimulatedEmbedding(config.seed(), config.embeddingDimensions());
        this.scheduler = scheduler;
        this.cache = cache;
        this.stats = stats;
        this.faults = faults;
        this.metrics = new VllmMetricsExposition(config, stats, scheduler);
        this.mapper = new ObjectMapper();
        this.shapes = new OpenAiShapes(mapper, config.reportPromptTokensDetails());
        this.executor = executor;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        try {
            switch (path) {
                case "/v1/completions" -> post(exchange, method, () -> generate(exchange, GenerationRequest.Kind.COMPLETION));
                case "/v1/chat/completions" -> post(exchange, method, () -> generate(exchange, GenerationRequest.Kind.CHAT));
                case "/v1/models" -> get(exchange, method, () -> json(exchange, 200, models()));
                case "/health" -> get(exchange, method, () -> health(exchange));
                case "/version" -> get(exchange, method, () -> json(exchange, 200, mapper.createObjectNode().put("version", config.vllmVersion())));
                case "/tokenize" -> post(exchange, method, () -> tokenize(exchange));
                case "/detokenize" -> post(exchange, method, () -> detokenize(exchange));
                case "/v1/embeddings" -> post(exchange, method, () -> embeddings(exchange));
                case "/metrics" -> get(exchange, method, () -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8)));
                case "/reset_prefix_cache" -> post(exchange, method, () -> resetPrefixCache(exchange));
                case "/sim/faults" -> faultsEndpoint(exchange, method);
                case "/sim/stats" -> get(exchange, method, () -> json(exchange, 200, statsJson()));
                default -> send(exchange, 404, "application/json", "{\"detail\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
            }
        } catch (SimulatorRequestException e) {
            error(exchange, e);
        } catch (RuntimeException e) {
            error(exchange, new SimulatorRequestException(500, "InternalServerError", null,
                    "Simulator failure: " + e));
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private void post(HttpExchange exchange, String method, Action action) throws IOException {
        if (!"POST".equals(method)) {
            methodNotAllowed(exchange);
            return;
        }
        action.run();
    }

    private void get(HttpExchange exchange, String method, Action action) throws IOException {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            methodNotAllowed(exchange);
            return;
        }
        action.run();
    }

    private void methodNotAllowed(HttpExchange exchange) throws IOException {
        send(exchange, 405, "application/json", "{\"detail\":\"Method Not Allowed\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void generate(HttpExchange exchange, GenerationRequest.Kind kind) throws IOException {
        stats.received();
        GenerationRequest request;
        try {
            request = GenerationRequest.parse(readJson(exchange), kind, config, tokenizer);
        } catch (SimulatorRequestException e) {
            stats.rejectedInvalid();
            throw e;
        }
        if (faults.answeringGarbage()) {
            // What a broken proxy or a crashed worker in front of an engine sends: a 200 that is no answer.
            stats.injectedFailure();
            send(exchange, 200, "text/html", "<html><body>upstream worker crashed</body></html>".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (faults.drawFailure()) {
            stats.injectedFailure();
            throw new SimulatorRequestException(500, "InternalServerError", null, "Simulated engine failure (fault injection).");
        }
        long outputDigest = SimulatedOutput.promptDigest(config.seed(), request.promptTokens);
        GenerationResponder responder = new GenerationResponder(exchange, executor, shapes, request, output,
                outputDigest, faults.dieAfterChunks());
        SimulatedSequence seq = new SimulatedSequence(request.promptTokens,
                output.tokenIds(outputDigest, request.outputTokens), request.cacheSalt,
                cache.blockHashes(request.promptTokens, request.cacheSalt), request.finishReason, request.priority,
                responder);
        responder.onClientGone(() -> scheduler.abort(seq));
        Runnable resume = () -> executor.execute(() -> {
            stats.stalledDelta(-1);
            enter(exchange, seq, responder);
        });
        stats.stalledDelta(1);
        if (!faults.holdIfStalling(resume)) {
            stats.stalledDelta(-1);
            enter(exchange, seq, responder);
        }
    }

    private void enter(HttpExchange exchange, SimulatedSequence seq, GenerationResponder responder) {
        try {
            scheduler.submit(seq);
        } catch (SimulatorRequestException e) {
            error(exchange, e);
            return;
        }
        responder.start();
    }

    private void health(HttpExchange exchange) throws IOException {
        if (faults.healthFailing()) {
            send(exchange, 503, null, new byte[0]);
        } else {
            send(exchange, 200, null, new byte[0]);
        }
    }

    private ObjectNode models() {
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String name : config.models()) {
            ObjectNode m = data.addObject();
            m.put("id", name);
            m.put("object", "model");
            m.put("created", startedAt);
            m.put("owned_by", "vllm");
            m.put("root", config.primaryModel());
            m.putNull("parent");
            m.put("max_model_len", config.maxModelLen());
            ObjectNode perm = m.putArray("permission").addObject();
            perm.put("id", "modelperm-" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""));
            perm.put("object", "model_permission");
            perm.put("created", startedAt);
            perm.put("allow_create_engine", false);
            perm.put("allow_sampling", true);
            perm.put("allow_logprobs", true);
            perm.put("allow_search_indices", false);
            perm.put("allow_view", true);
            perm.put("allow_fine_tuning", false);
            perm.put("organization", "*");
            perm.putNull("group");
            perm.put("is_blocking", false);
        }
        return root;
    }

    private void tokenize(HttpExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        GenerationRequest.resolveModel(body, config);
        int[] tokens;
        if (body.has("messages")) {
            tokens = tokenizer.tokenizeAndRemember(
                    ChatTemplate.render(body.get("messages"), body.path("add_generation_prompt").asBoolean(true)));
        } else if (body.path("prompt").isTextual()) {
            tokens = tokenizer.tokenizeAndRemember(body.get("prompt").asText());
            if (body.path("add_special_tokens").asBoolean(true)) {
                tokens = GenerationRequest.withBos(tokenizer, tokens);
            }
        } else {
            throw new SimulatorRequestException(400, "BadRequestError", "prompt", "Either `prompt` (a string) or `messages` is required.");
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("count", tokens.length);
        out.put("max_model_len", config.maxModelLen());
        ArrayNode ids = out.putArray("tokens");
        for (int t : tokens) {
            ids.add(t);
        }
        out.putNull("token_strs");
        json(exchange, 200, out);
    }

    /** vLLM answers 200 either way and logs a refusal; the body says which it was. */
    private void resetPrefixCache(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        json(exchange, 200, mapper.createObjectNode().put("reset", scheduler.resetPrefixCache()));
    }

    private void detokenize(HttpExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        GenerationRequest.resolveModel(body, config);
        JsonNode tokens = body.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new SimulatorRequestException(400, "BadRequestError", "tokens", "`tokens` must be a list of token ids.");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i).asInt();
        }
        json(exchange, 200, mapper.createObjectNode().put("prompt", tokenizer.detokenize(ids)));
    }

    private void embeddings(HttpExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        String model = GenerationRequest.resolveModel(body, config);
        JsonNode input = body.get("input");
        if (input == null || input.isNull() || (input.isArray() && input.isEmpty())) {
            throw new SimulatorRequestException(400, "BadRequestError", "input", "`input` must be a string or a non-empty list.");
        }
        ArrayNode inputs = mapper.createArrayNode();
        if (input.isArray() && !input.get(0).isInt()) {
            input.forEach(inputs::add);
        } else {
            inputs.add(input);
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("id", "embd-" + GenerationResponder.randomHex32());
        out.put("object", "list");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", model);
        ArrayNode data = out.putArray("data");
        int promptTokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode item = inputs.get(i);
            int[] tokens;
            if (item.isTextual()) {
                tokens = GenerationRequest.withBos(tokenizer, tokenizer.tokenize(item.asText()));
            } else if (item.isArray()) {
                tokens = new int[item.size()];
                for (int k = 0; k < tokens.length; k++) {
                    tokens[k] = item.get(k).asInt();
                }
            } else {
                throw new SimulatorRequestException(400, "BadRequestError", "input", "each input must be a string or a list of token ids");
            }
            promptTokens += tokens.length;
            ObjectNode d = data.addObject();
            d.put("index", i);
            d.put("object", "embedding");
            ArrayNode vector = d.putArray("embedding");
            for (double x : embedding.embed(tokens)) {
                vector.add(x);
            }
        }
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        usage.put("completion_tokens", 0);
        usage.putNull("prompt_tokens_details");
        json(exchange, 200, out);
    }

    private void faultsEndpoint(HttpExchange exchange, String method) throws IOException {
        if ("POST".equals(method)) {
            JsonNode body = readJson(exchange);
            if (body.path("reset").asBoolean(false)) {
                faults.reset();
            }
            try {
                if (body.has("fail_health")) {
                    faults.failHealth(body.get("fail_health").asBoolean());
                }
                if (body.has("failure_rate")) {
                    faults.failureRate(body.get("failure_rate").asDouble());
                }
                if (body.has("die_after_chunks")) {
                    faults.dieAfterChunks(body.get("die_after_chunks").isNull() ? -1 : body.get("die_after_chunks").asInt());
                }
                if (body.has("garbage")) {
                    faults.answerGarbage(body.get("garbage").asBoolean());
                }
                if (body.has("stall")) {
                    faults.stall(body.get("stall").asBoolean());
                }
                if (body.has("slowdown")) {
                    JsonNode slowdown = body.get("slowdown");
                    if (!slowdown.isNull() && !slowdown.isNumber()) {
                        throw new IllegalArgumentException("slowdown must be a number (1 = off), got " + slowdown);
                    }
                    faults.slowdown(slowdown.isNull() ? 1.0 : slowdown.asDouble());
                }
            } catch (IllegalArgumentException e) {
                throw new SimulatorRequestException(400, "BadRequestError", null, e.getMessage());
            }
        } else if (!"GET".equals(method)) {
            methodNotAllowed(exchange);
            return;
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("fail_health", faults.healthFailing());
        out.put("failure_rate", faults.failureRate());
        out.put("stall", faults.stalling());
        out.put("garbage", faults.answeringGarbage());
        out.put("die_after_chunks", faults.dieAfterChunks());
        out.put("slowdown", faults.slowdown());
        json(exchange, 200, out);
    }

    private ObjectNode statsJson() {
        ObjectNode out = mapper.createObjectNode();
        out.put("requests_received", stats.requestsReceived());
        out.put("requests_completed", stats.requestsCompleted());
        out.put("requests_aborted", stats.requestsAborted());
        out.put("requests_rejected", stats.requestsRejected());
        out.put("requests_invalid", stats.requestsInvalid());
        out.put("requests_failed", stats.requestsFailed());
        out.put("requests_stalled", stats.requestsStalled());
        out.put("running", stats.running());
        out.put("waiting", stats.waiting());
        out.put("kv_cache_usage", stats.kvCacheUsage());
        out.put("cached_blocks", stats.cachedBlocks());
        out.put("evicted_blocks", stats.evictedBlocks());
        out.put("prompt_tokens", stats.promptTokens());
        out.put("cached_tokens", stats.cachedTokens());
        out.put("generation_tokens", stats.generationTokens());
        return out;
    }

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readAllBytes();
        }
        try {
            JsonNode node = mapper.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new SimulatorRequestException(400, "BadRequestError", null, "The request body must be a JSON object.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SimulatorRequestException(400, "BadRequestError", null,
                    "Malformed JSON in request body: " + e.getOriginalMessage());
        }
    }

    private void error(HttpExchange exchange, SimulatorRequestException e) {
        try {
            send(exchange, e.status(), "application/json", shapes.error(e.status(), e.type(), e.param(), e.getMessage()));
        } catch (IOException | RuntimeException ignored) {
            exchange.close();  // the client is gone or the response already started; nothing left to tell it
        }
    }

    private void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", shapes.bytes(body));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, body.length == 0 || head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }
}
