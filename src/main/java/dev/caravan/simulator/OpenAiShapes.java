package dev.caravan.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds response bodies in the exact shapes vLLM's OpenAI-compatible server returns. */
final class OpenAiShapes {

    private final ObjectMapper mapper;
    private final boolean reportPromptTokensDetails;

    OpenAiShapes(ObjectMapper mapper, boolean reportPromptTokensDetails) {
        this.mapper = mapper;
        this.reportPromptTokensDetails = reportPromptTokensDetails;
    }

    /** {@code {"error":{"message","type","param","code"}}}, vLLM's ErrorResponse. */
    byte[] error(int status, String type, String param, String message) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", status);
        return bytes(root);
    }

    ObjectNode usage(int prompt, int completion, int cached) {
        ObjectNode u = mapper.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("total_tokens", prompt + completion);
        u.put("completion_tokens", completion);
        if (reportPromptTokensDetails) {
            u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        } else {
            u.putNull("prompt_tokens_details");
        }
        return u;
    }

    byte[] completion(GenerationRequest r, String id, long created, String text, String finishReason, int cached) {
        ObjectNode root = header(id, "text_completion", created, r.model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        choice.putNull("stop_reason");
        choice.putNull("prompt_logprobs");
        root.putNull("service_tier");
        root.putNull("system_fingerprint");
        root.set("usage", usage(r.promptTokens.length, r.outputTokens, cached));
        root.putNull("kv_transfer_params");
        return bytes(root);
    }

    byte[] chatCompletion(GenerationRequest r, String id, long created, String text, String finishReason, int cached) {
        ObjectNode root = header(id, "chat.completion", created, r.model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        message.putNull("refusal");
        message.putNull("annotations");
        message.putNull("audio");
        message.putNull("function_call");
        message.putArray("tool_calls");
        message.putNull("reasoning_content");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        choice.putNull("stop_reason");
        root.putNull("service_tier");
        root.putNull("system_fingerprint");
        root.set("usage", usage(r.promptTokens.length, r.outputTokens, cached));
        root.putNull("prompt_logprobs");
        root.putNull("kv_transfer_params");
        return bytes(root);
    }

    /** The chat stream's opening chunk, sent with the first token as vLLM does. */
    byte[] chatRoleChunk(GenerationRequest r, String id, long created) {
        ObjectNode root = header(id, "chat.completion.chunk", created, r.model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return sse(root);
    }

    byte[] tokenChunk(GenerationRequest r, String id, long created, String token, String finishReason) {
        boolean chat = r.kind == GenerationRequest.Kind.CHAT;
        ObjectNode root = header(id, chat ? "chat.completion.chunk" : "text_completion", created, r.model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            choice.putObject("delta").put("content", token);
        } else {
            choice.put("text", token);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        choice.putNull("stop_reason");
        return sse(root);
    }

    /**
     * A token event rendered once per response with the token left out: streaming then costs a
     * few array copies per token instead of building and serialising a JSON tree.
     */
    TokenEventTemplate tokenEventTemplate(GenerationRequest r, String id, long created, String finishReason) {
        byte[] whole = tokenChunk(r, id, created, TOKEN_MARKER, finishReason);
        byte[] marker = ("\"" + TOKEN_MARKER + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = indexOf(whole, marker);
        return new TokenEventTemplate(java.util.Arrays.copyOfRange(whole, 0, at),
                java.util.Arrays.copyOfRange(whole, at + marker.length, whole.length));
    }

    /** The bytes of one SSE token event around the token's quoted JSON string. */
    record TokenEventTemplate(byte[] before, byte[] after) {
    }

    private static final String TOKEN_MARKER = "@@token@@";

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("token marker missing from the rendered event");
    }

    byte[] usageChunk(GenerationRequest r, String id, long created, int cached) {
        boolean chat = r.kind == GenerationRequest.Kind.CHAT;
        ObjectNode root = header(id, chat ? "chat.completion.chunk" : "text_completion", created, r.model);
        root.putArray("choices");
        root.set("usage", usage(r.promptTokens.length, r.outputTokens, cached));
        return sse(root);
    }

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private ObjectNode header(String id, String object, long created, String model) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private byte[] sse(ObjectNode event) {
        byte[] json = bytes(event);
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    byte[] bytes(Object node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
