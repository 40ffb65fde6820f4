package dev.caravan.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sampling parameters' types and ranges as vLLM checks them (its pydantic request models in lax
 * mode, then {@code SamplingParams}' own checks), so that a client the gateway forwards gets from a
 * simulated engine the 400 a real one gives, not a 200 that hides its mistake. Numbers may come as
 * numeric strings (pydantic's lax mode accepts "0.5"); objects, arrays and other strings may not.
 * The simulator does not sample, so a valid value changes nothing about the output.
 */
final class SamplingParameters {

    private static final String[] PENALTIES = {"presence_penalty", "frequency_penalty"};
    private static final String[] FLAGS = {"stream", "ignore_eos", "echo", "logprobs", "skip_special_tokens"};

    private SamplingParameters() { }

    static void validate(JsonNode body) {
        Double temperature = number(body, "temperature");
        if (temperature != null && temperature < 0) {
            throw bad("temperature", "temperature must be non-negative, got " + temperature + ".");
        }
        Double topP = number(body, "top_p");
        if (topP != null && (topP <= 0 || topP > 1)) {
            throw bad("top_p", "top_p must be in (0, 1], got " + topP + ".");
        }
        Double minP = number(body, "min_p");
        if (minP != null && (minP < 0 || minP > 1)) {
            throw bad("min_p", "min_p must be in [0, 1], got " + minP + ".");
        }
        for (String penalty : PENALTIES) {
            Double v = number(body, penalty);
            if (v != null && (v < -2 || v > 2)) {
                throw bad(penalty, penalty + " must be in [-2, 2], got " + v + ".");
            }
        }
        Double repetition = number(body, "repetition_penalty");
        if (repetition != null && repetition <= 0) {
            throw bad("repetition_penalty", "repetition_penalty must be greater than zero, got " + repetition + ".");
        }
        integer(body, "n");
        integer(body, "seed");
        Double topK = integer(body, "top_k");
        if (topK != null && topK < -1) {
            throw bad("top_k", "top_k must be -1 (disable), or at least 1, got " + topK.longValue() + ".");
        }
        for (String flag : FLAGS) {
            JsonNode v = body.get(flag);
            if (v != null && !v.isNull() && !v.isBoolean() && !(flag.equals("logprobs") && v.isIntegralNumber())
                    && !(v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false")))) {
                throw bad(flag, "Input should be a valid boolean: '" + flag + "'.");
            }
        }
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull() && !stop.isTextual()) {
            boolean strings = stop.isArray();
            if (strings) {
                for (JsonNode s : stop) strings &= s.isTextual();
            }
            if (!strings) throw bad("stop", "Input should be a valid string or a list of strings: 'stop'.");
        }
    }

    private static Double number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            try {
                double d = Double.parseDouble(v.asText().trim());
                if (Double.isFinite(d)) return d;
            } catch (NumberFormatException ignored) {
                // falls through to the 400
            }
        }
        throw bad(field, "Input should be a valid number: '" + field + "'.");
    }

    private static Double integer(JsonNode body, String field) {
        Double d = number(body, field);
        if (d != null && d != Math.rint(d)) {
            throw bad(field, "Input should be a valid integer, got a number with a fractional part: '" + field + "'.");
        }
        return d;
    }

    private static SimulatorRequestException bad(String param, String message) {
        return new SimulatorRequestException(400, "BadRequestError", param, message);
    }
}
