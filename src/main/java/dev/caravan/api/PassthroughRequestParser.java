package dev.caravan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.ModelAliases;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads the body of a vLLM request the gateway forwards as is (/tokenize, /detokenize,
 * /v1/embeddings): a JSON object whose optional {@code model} picks the engines that may serve it.
 */
public class PassthroughRequestParser implements Processor {

    private final CompletionRequestParser completions;
    private final BoundedBodyReader reader;
    private final RequestIds ids;
    private final ModelAliases aliases;

    public PassthroughRequestParser(CompletionRequestParser completions, BoundedBodyReader reader, RequestIds ids) {
        this(completions, reader, ids, ModelAliases.none());
    }

    public PassthroughRequestParser(CompletionRequestParser completions, BoundedBodyReader reader, RequestIds ids,
                                    ModelAliases aliases) {
        this.completions = completions;
        this.reader = reader;
        this.ids = ids;
        this.aliases = aliases;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String path = EndpointPath.of(exchange);
        ObjectNode body = completions.parseObject(reader.read(exchange));
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw new GatewayException(400, "invalid_request_error", "invalid_type", "model",
                    "Invalid type for 'model': expected a string", null);
        }
        String requestId = ids.fromHeaderOrNew(exchange.getIn().getHeader(CompletionRequestParser.REQUEST_ID_HEADER, String.class));
        String served = model == null || model.isNull() ? null : aliases.resolve(model.asText());
        if (served != null && !served.equals(model.asText())) {
            body.put("model", served); // the engine knows only its served name
        }
        PlacementRequest placement = new PlacementRequest(requestId, served, "", null, null, Set.of());
        new CompletionCall(path, body, false, placement, null).attachTo(exchange);
    }
}
