package dev.caravan.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Pattern;

/**
 * What a client is told about a body Jackson could not read: Jackson's own description (what was
 * unexpected, where), without the Java class and feature names some of its messages carry
 * ({@code bound as `com.fasterxml...JsonNode`}, {@code DeserializationFeature...}), which say nothing
 * to an OpenAI client and leak how the gateway is built.
 */
public final class InvalidJsonMessage {

    private static final Pattern BACKTICKED = Pattern.compile("\\s*\\((?:bound as|from) `[^`]*`\\)|`[^`]*`");

    private InvalidJsonMessage() { }

    public static String of(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "The request body is not valid JSON: it exceeds the parser's limits (nesting depth, number or string length)";
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.startsWith("Trailing token")) {
            return "The request body is not valid JSON: data after the end of the JSON value";
        }
        String cleaned = BACKTICKED.matcher(original).replaceAll("").trim();
        return cleaned.isEmpty() ? "The request body is not valid JSON" : "The request body is not valid JSON: " + cleaned;
    }
}
