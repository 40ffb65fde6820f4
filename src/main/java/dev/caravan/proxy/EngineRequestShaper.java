package dev.caravan.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import java.io.UncheckedIOException;
import java.util.function.ToIntFunction;

/**
 * Turns the client's body into what one particular engine should receive: vLLM fields the
 * workflow implies ({@code cache_salt} for an isolated workflow, {@code priority} for engines that
 * schedule by priority), usage reporting on streams so the gateway learns cached tokens, and no
 * {@code workflow_metadata} unless configured to forward it. The client's body is never changed,
 * so a retry on another engine starts from the original.
 */
public class EngineRequestShaper {

    public record Shaped(byte[] body, boolean gatewayAskedForUsage) {}

    private final ObjectMapper mapper;
    private final boolean forwardWorkflowMetadata;
    private final ToIntFunction<WorkflowMetadata> vllmPriority;

    public EngineRequestShaper(ObjectMapper mapper, boolean forwardWorkflowMetadata,
                               ToIntFunction<WorkflowMetadata> vllmPriority) {
        this.mapper = mapper;
        this.forwardWorkflowMetadata = forwardWorkflowMetadata;
        this.vllmPriority = vllmPriority;
    }

    public Shaped shape(CompletionCall request, Engine engine) {
        if (request.raw() != null && request.workflow() == null
                && (!engine.prioritySchedulingEnabled() || request.body().has("priority"))
                && (!request.stream() || clientAskedForUsage(request.body().get("stream_options")))) {
            return new Shaped(request.raw(), false); // nothing to change: the client's own bytes
        }
        ObjectNode body = request.body().objectNode();
        body.setAll(request.body()); // shallow: only top-level fields are replaced below
        WorkflowMetadata wf = request.workflow();
        if (wf != null) {
            if (!forwardWorkflowMetadata) {
                body.remove("workflow_metadata");
            }
            String salt = request.request().cacheSalt();
            if (salt != null && !body.hasNonNull("cache_salt")) {
                body.put("cache_salt", salt);
            }
        }
        if (engine.prioritySchedulingEnabled() && !body.has("priority")) {
            // plain requests too: vLLM's default 0 would otherwise put them ahead of every workflow
            body.put("priority", vllmPriority.applyAsInt(wf));
        }
        boolean asked = false;
        if (request.stream()) {
            JsonNode opts = request.body().get("stream_options");
            if (!clientAskedForUsage(opts)) {
                ObjectNode o = body.putObject("stream_options");
                if (opts != null && opts.isObject()) {
                    o.setAll((ObjectNode) opts);
                }
                o.put("include_usage", true);
                asked = true;
            }
        }
        try {
            return new Shaped(mapper.writeValueAsBytes(body), asked);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean clientAskedForUsage(JsonNode opts) {
        return opts != null && opts.isObject() && opts.path("include_usage").asBoolean(false);
    }
}
