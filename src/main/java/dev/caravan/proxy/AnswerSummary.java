package dev.caravan.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.UsageReport;
import java.io.IOException;

/**
 * What the gateway reads from an engine's JSON answer (a whole response, or one event of a stream):
 * the response id, the usage, and whether {@code choices} is present and empty (vLLM's usage-only
 * stream chunk). Read with a streaming parser over the top-level fields: the choices, which hold
 * the generated text, are skipped, never built into a tree.
 */
record AnswerSummary(String id, UsageReport usage, boolean noChoices) {

    static final AnswerSummary NONE = new AnswerSummary(null, UsageReport.NONE, false);

    /** {@link #NONE} when the bytes are not a JSON object. */
    static AnswerSummary read(ObjectMapper mapper, byte[] json, int offset, int length) {
        try (JsonParser p = mapper.getFactory().createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            String id = null;
            UsageReport usage = UsageReport.NONE;
            boolean noChoices = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("id".equals(field) && value == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
                    usage = UsageReport.from(p.readValueAsTree());
                } else if ("choices".equals(field) && value == JsonToken.START_ARRAY) {
                    JsonToken element = p.nextToken();
                    noChoices = element == JsonToken.END_ARRAY;
                    while (element != null && element != JsonToken.END_ARRAY) {
                        p.skipChildren();
                        element = p.nextToken();
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new AnswerSummary(id, usage, noChoices);
        } catch (IOException e) {
            return NONE; // not JSON after all: the client still gets exactly what the engine said
        }
    }
}
