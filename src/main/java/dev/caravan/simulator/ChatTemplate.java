package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders chat messages to one prompt with the Llama 3 template, in order, so a conversation that
 * grows by whole turns keeps its earlier turns as a textual (and therefore token) prefix.
 */
final class ChatTemplate {

    static final String BEGIN_OF_TEXT = "<|begin_of_text|>";

    private ChatTemplate() {
    }

    /**
     * @param messages the request's {@code messages} array
     * @param addGenerationPrompt whether to open the assistant turn, as vLLM does by default
     */
    static String render(JsonNode messages, boolean addGenerationPrompt) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new SimulatorRequestException(400, "BadRequestError", "messages",
                    "`messages` must be a non-empty list");
        }
        StringBuilder sb = new StringBuilder(BEGIN_OF_TEXT);
        for (JsonNode m : messages) {
            String role = m.path("role").asText("user");
            sb.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
            appendContent(sb, m.get("content"));
            sb.append("<|eot_id|>");
        }
        if (addGenerationPrompt) {
            sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
        return sb.toString();
    }

    private static void appendContent(StringBuilder sb, JsonNode content) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            sb.append(content.asText());
            return;
        }
        if (content.isArray()) {
            // OpenAI content parts: only text parts have tokens worth simulating.
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    sb.append(part.asText());
                } else if (part.has("text")) {
                    sb.append(part.get("text").asText());
                }
            }
            return;
        }
        throw new SimulatorRequestException(400, "BadRequestError", "messages",
                "message content must be a string or a list of content parts");
    }
}
