package dev.caravan.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.WorkflowIds;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.ModelAliases;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Parses and validates an OpenAI completion or chat completion body, including the optional
 * {@code workflow_metadata}, and renders the prompt as text for prefix matching. Anything a
 * client got wrong is a 400 naming the offending parameter; fields the gateway does not know are
 * left for the engine to judge.
 */
public class CompletionRequestParser implements Processor {

    /**
     * Whether the request carries workflow_metadata: set here, read only by the route's content-based
     * routing ({@code routes/openai.camel.yaml}), a plain property rather than an OGNL call per request.
     */
    private static final String WORKFLOW_REQUEST_PROPERTY = "caravanWorkflowRequest";
    public static final String REQUEST_ID_HEADER = "x-request-id";

    private final ObjectMapper mapper;
    // Trailing bytes after the object fail here: the client's bytes may be forwarded as they are, and
    // the engine would refuse what Jackson's default reader ignores.
    private final ObjectReader json;
    private final BoundedBodyReader reader;
    private final String sessionHeader;
    private final RequestIds requestIds;
    private final ModelAliases aliases;
    private final MaxTokensCap maxTokens;

    public CompletionRequestParser(ObjectMapper mapper, BoundedBodyReader reader, String sessionHeader,
                                   RequestIds requestIds) {
        this(mapper, reader, sessionHeader, requestIds, ModelAliases.none(), MaxTokensCap.none());
    }

    /**
     * @param aliases   other names for served models, replaced by the served name here, before placement
     * @param maxTokens the cap on generated tokens per request
     */
    public CompletionRequestParser(ObjectMapper mapper, BoundedBodyReader reader, String sessionHeader,
                                   RequestIds requestIds, ModelAliases aliases, MaxTokensCap maxTokens) {
        this.aliases = aliases;
        this.maxTokens = maxTokens;
        this.mapper = mapper;
        this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.reader = reader;
        this.sessionHeader = sessionHeader;
        this.requestIds = requestIds;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String path = EndpointPath.of(exchange);
        byte[] raw = reader.readBytes(exchange);
        ObjectNode body = parseObject(raw);
        boolean chat = path.endsWith("/chat/completions");

        String requested = requiredString(body, "model");
        String model = aliases.resolve(requested);
        if (!model.equals(requested)) {
            // The engine knows only its served name; the client's bytes cannot be forwarded as they are.
            body.put("model", model);
            raw = null;
        }
        String prompt = chat ? renderMessages(body) : renderPrompt(body);
        boolean stream = optionalBoolean(body, "stream");
        optionalPositiveInt(body, "max_tokens");
        optionalPositiveInt(body, "max_completion_tokens");
        optionalPositiveInt(body, "n");
        if (maxTokens.apply(body)) {
            raw = null; // the body now carries the cap: the client's bytes cannot be forwarded as they are
        }
        WorkflowMetadata workflow = workflow(body.get("workflow_metadata"));

        String requestId = requestIds.fromHeaderOrNew(exchange.getIn().getHeader(REQUEST_ID_HEADER, String.class));
        String session = exchange.getIn().getHeader(sessionHeader, String.class);
        PlacementRequest placement = new PlacementRequest(requestId, model, prompt, workflow, session, Set.of());
        new CompletionCall(path, body, stream, placement, raw).attachTo(exchange);
        // What the route's content-based routing reads: a plain property, not an OGNL call per request.
        // Metadata without a workflow id is a plain request (the seed plan's router falls back to its
        // ordinary routing then); its priority still orders the admission queue.
        exchange.setProperty(WORKFLOW_REQUEST_PROPERTY, placement.inWorkflow());
    }

    ObjectNode parseObject(byte[] raw) {
        int i = 0;
        while (i < raw.length && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\r' || raw[i] == '\t')) {
            i++;
        }
        if (i == raw.length) {
            return parseObject((String) null);
        }
        JsonNode node;
        try {
            node = json.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new GatewayException(400, "invalid_request_error", "invalid_json", null,
                    InvalidJsonMessage.of(e), null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return object(node);
    }

    ObjectNode parseObject(String text) {
        if (text == null || text.isBlank()) {
            throw new GatewayException(400, "invalid_request_error", "invalid_json", null,
                    "The request body is empty: send a JSON object", null);
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new GatewayException(400, "invalid_request_error", "invalid_json", null,
                    InvalidJsonMessage.of(e), null);
        }
        return object(node);
    }

    private static ObjectNode object(JsonNode node) {
        if (!(node instanceof ObjectNode obj)) {
            throw new GatewayException(400, "invalid_request_error", "invalid_json", null,
                    "The request body must be a JSON object", null);
        }
        return obj;
    }

    private static String requiredString(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new GatewayException(400, "invalid_request_error", "missing_required_parameter", field,
                    "Missing required parameter: '" + field + "'", null);
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw wrongType(field, "a non-empty string");
        }
        return v.asText();
    }

    private static boolean optionalBoolean(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, "a boolean");
        }
        return v.booleanValue();
    }

    private static void optionalPositiveInt(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.canConvertToExactIntegral() || !v.isNumber() || v.asLong() < 1) {
            throw wrongType(field, "a positive integer");
        }
    }

    private static String renderMessages(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw new GatewayException(400, "invalid_request_error", "missing_required_parameter", "messages",
                    "Missing required parameter: 'messages'", null);
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw wrongType("messages", "a non-empty array of message objects");
        }
        StringBuilder sb = new StringBuilder(256);
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw wrongType(param, "an object");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw wrongType(param + ".role", "a string");
            }
            sb.append(role.asText()).append(": ");
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                // assistant tool calls carry no content
            } else if (content.isTextual()) {
                sb.append(content.asText());
            } else if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    JsonNode part = content.get(j);
                    if (!part.isObject()) {
                        // vLLM refuses it too; refused here, before a placement and an engine call are spent on it
                        throw wrongType(param + ".content[" + j + "]", "a content part object");
                    }
                    if (part.has("text")) {
                        sb.append(part.get("text").asText());
                    }
                }
            } else {
                throw wrongType(param + ".content", "a string or an array of content parts");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String renderPrompt(ObjectNode body) {
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw new GatewayException(400, "invalid_request_error", "missing_required_parameter", "prompt",
                    "Missing required parameter: 'prompt'", null);
        }
        if (prompt.isTextual()) {
            return prompt.asText();
        }
        if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                return first.asText();
            }
            if (first.isIntegralNumber() || first.isArray()) {
                // token ids: their decimal rendering still shares prefixes the way the tokens do
                return (first.isArray() ? first : prompt).toString();
            }
        }
        throw wrongType("prompt", "a string, an array of strings or an array of token ids");
    }

    private WorkflowMetadata workflow(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw wrongType("workflow_metadata", "an object");
        }
        // Optional, as in the seed plan: without it (absent, null or "") the request is routed as a plain one.
        String workflowId = id(node, "workflow_id");
        String agentId = id(node, "agent_id");
        JsonNode parent = node.get("parent_request_id");
        if (parent != null && !parent.isNull() && (!parent.isTextual() || parent.asText().length() > 256)) {
            throw wrongType("workflow_metadata.parent_request_id", "a string of at most 256 characters");
        }
        JsonNode prio = node.get("workflow_priority");
        double priority = WorkflowMetadata.DEFAULT_PRIORITY;
        if (prio != null && !prio.isNull()) {
            if (!prio.isNumber() || !Double.isFinite(prio.asDouble())) {
                throw wrongType("workflow_metadata.workflow_priority", "a number");
            }
            priority = prio.asDouble();
        }
        JsonNode strategyNode = node.get("context_sharing_strategy");
        ContextSharingStrategy strategy = ContextSharingStrategy.AUTO;
        if (strategyNode != null && !strategyNode.isNull()) {
            strategy = strategyNode.isTextual() ? ContextSharingStrategy.fromLabel(strategyNode.asText()) : null;
            if (strategy == null) {
                throw GatewayException.badRequest("workflow_metadata.context_sharing_strategy",
                        "context_sharing_strategy must be one of auto, broadcast, selective, none");
            }
        }
        JsonNode meta = node.get("metadata");
        Map<String, Object> metadata = Map.of();
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw wrongType("workflow_metadata.metadata", "an object");
            }
            metadata = mapper.convertValue(meta, mapper.getTypeFactory()
                    .constructMapType(Map.class, String.class, Object.class));
        }
        return new WorkflowMetadata(workflowId, agentId,
                parent == null || parent.isNull() ? null : parent.asText(), priority, strategy, metadata);
    }

    /** The id, or null when absent, null or empty (Python's falsy test in the seed plan's router). */
    private static String id(JsonNode node, String field) {
        JsonNode v = node.get(field);
        String param = "workflow_metadata." + field;
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        return WorkflowIds.require(v.isTextual() ? v.asText() : null, param);
    }

    private static GatewayException wrongType(String param, String expected) {
        return new GatewayException(400, "invalid_request_error", "invalid_type", param,
                "Invalid type for '" + param + "': expected " + expected, null);
    }
}
