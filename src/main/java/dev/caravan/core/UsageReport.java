package dev.caravan.core;

import com.fasterxml.jackson.databind.JsonNode;

/** The token counts an engine reported in a response's {@code usage} object. */
public record UsageReport(long promptTokens, long cachedTokens, long completionTokens) {

    public static final UsageReport NONE = new UsageReport(-1, -1, -1);

    public static UsageReport from(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        JsonNode details = usage.path("prompt_tokens_details");
        return new UsageReport(
                usage.path("prompt_tokens").asLong(-1),
                details.isObject() ? details.path("cached_tokens").asLong(0) : -1,
                usage.path("completion_tokens").asLong(-1));
    }
}
