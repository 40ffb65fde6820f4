package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A completions or chat request as the engine understands it, validated the way vLLM's OpenAI
 * server validates it (same statuses, same messages where it matters to a client).
 */
final class GenerationRequest {

    enum Kind { COMPLETION, CHAT }

    final Kind kind;
    final String model;
    final int[] promptTokens;
    final int outputTokens;
    final String finishReason;
    final boolean stream;
    final boolean includeUsage;
    final int priority;
    final String cacheSalt;

    private GenerationRequest(Kind kind, String model, int[] promptTokens, int outputTokens, String finishReason,
                              boolean stream, boolean includeUsage, int priority, String cacheSalt) {
        this.kind = kind;
        this.model = model;
        this.promptTokens = promptTokens;
        this.outputTokens = outputTokens;
        this.finishReason = finishReason;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.priority = priority;
        this.cacheSalt = cacheSalt;
    }

    /**
     * Output length: {@code max_tokens} when given (the simulated model never stops early, it ends
     * with "length"); otherwise {@code defaultMaxTokens} ending with "stop", or, with
     * {@code ignore_eos}, the rest of the context ending with "length", as vLLM would.
     */
    static GenerationRequest parse(JsonNode body, Kind kind, SimulatorConfig config, SimulatedTokenizer tokenizer) {
        if (body == null || !body.isObject()) {
            throw badRequest(null, "The request body must be a JSON object.");
        }
        String model = resolveModel(body, config);
        int[] prompt = kind == Kind.CHAT ? chatPrompt(body, tokenizer) : completionPrompt(body, tokenizer);

        SamplingParameters.validate(body);
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && n.asInt(1) != 1) {
            throw badRequest("n", "The simulator generates one choice per request (n=1).");
        }
        boolean stream = body.path("stream").asBoolean(false);
        JsonNode streamOptions = body.get("stream_options");
        boolean hasStreamOptions = streamOptions != null && !streamOptions.isNull();
        if (hasStreamOptions && !stream) {
            throw badRequest("stream_options", "Stream options can only be defined when `stream=True`.");
        }
        boolean includeUsage = hasStreamOptions && streamOptions.path("include_usage").asBoolean(false);

        int priority = 0;
        JsonNode p = body.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.canConvertToInt()) {
                throw badRequest("priority", "priority must be an integer.");
            }
            priority = p.intValue();
        }
        if (priority != 0 && config.schedulingPolicy() != SchedulingPolicy.PRIORITY) {
            throw badRequest("priority", "Got priority " + priority + " but Priority scheduling is not enabled.");
        }
        String cacheSalt = null;
        JsonNode salt = body.get("cache_salt");
        if (salt != null && !salt.isNull()) {
            if (!salt.isTextual() || salt.asText().isEmpty()) {
                throw badRequest("cache_salt", "Parameter 'cache_salt' must be a non-empty string if provided.");
            }
            cacheSalt = salt.asText();
        }

        int maxModelLen = config.maxModelLen();
        if (prompt.length >= maxModelLen) {
            throw badRequest(null, "This model's maximum context length is " + maxModelLen + " tokens. However, your request has "
                    + prompt.length + " input tokens. Please reduce the length of the input messages.");
        }
        JsonNode maxTokensNode = kind == Kind.CHAT && body.hasNonNull("max_completion_tokens")
                ? body.get("max_completion_tokens") : body.get("max_tokens");
        int output;
        String finish;
        if (maxTokensNode == null || maxTokensNode.isNull()) {
            boolean ignoreEos = body.path("ignore_eos").asBoolean(false);
            output = ignoreEos ? maxModelLen - prompt.length : Math.min(config.defaultMaxTokens(), maxModelLen - prompt.length);
            finish = ignoreEos || output < config.defaultMaxTokens() ? "length" : "stop";
        } else {
            if (!maxTokensNode.canConvertToInt() || maxTokensNode.intValue() < 1) {
                throw badRequest("max_tokens", "max_tokens must be at least 1, got " + maxTokensNode.asText() + ".");
            }
            output = maxTokensNode.intValue();
            finish = "length";
            if (output > maxModelLen - prompt.length) {
                throw badRequest("max_tokens", "'max_tokens' or 'max_completion_tokens' is too large: " + output
                        + ". This model's maximum context length is " + maxModelLen + " tokens and your request has "
                        + prompt.length + " input tokens (" + output + " > " + maxModelLen + " - " + prompt.length + ").");
            }
        }
        long blocksNeeded = ((long) prompt.length + output + config.blockSize() - 1) / config.blockSize();
        if (blocksNeeded > config.kvCacheBlocks()) {
            throw badRequest(null, "The request needs " + blocksNeeded + " KV cache blocks but the engine has only "
                    + config.kvCacheBlocks() + ".");
        }
        return new GenerationRequest(kind, model, prompt, output, finish, stream, includeUsage, priority, cacheSalt);
    }

    /** The model name to echo back; an absent model means the engine's own, as in vLLM. */
    static String resolveModel(JsonNode body, SimulatorConfig config) {
        JsonNode m = body.get("model");
        if (m == null || m.isNull() || m.asText().isEmpty()) {
            return config.primaryModel();
        }
        String name = m.asText();
        if (!config.models().contains(name)) {
            throw new SimulatorRequestException(404, "NotFoundError", "model", "The model `" + name + "` does not exist.");
        }
        return name;
    }

    static int[] completionPrompt(JsonNode body, SimulatedTokenizer tokenizer) {
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw badRequest("prompt", "Either prompt or prompt_embeds must be provided and non-empty.");
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            prompt = prompt.get(0);
        }
        if (prompt.isTextual()) {
            return withBos(tokenizer, tokenizer.tokenize(prompt.asText()));
        }
        if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isInt()) {
            int[] ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = prompt.get(i).asInt();
            }
            return ids;
        }
        throw badRequest("prompt", "The simulator accepts one prompt per request: a string, a list of one string or a list of token ids.");
    }

    static int[] chatPrompt(JsonNode body, SimulatedTokenizer tokenizer) {
        boolean addGenerationPrompt = body.path("add_generation_prompt").asBoolean(true);
        return tokenizer.tokenize(ChatTemplate.render(body.get("messages"), addGenerationPrompt));
    }

    /** vLLM's Llama tokenizer prepends the BOS token to a raw prompt; the chat template already has it. */
    static int[] withBos(SimulatedTokenizer tokenizer, int[] tokens) {
        int[] out = new int[tokens.length + 1];
        out[0] = tokenizer.idOf(ChatTemplate.BEGIN_OF_TEXT);
        System.arraycopy(tokens, 0, out, 1, tokens.length);
        return out;
    }

    private static SimulatorRequestException badRequest(String param, String message) {
        return new SimulatorRequestException(400, "BadRequestError", param, message);
    }
}
