package dev.caravan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.GatewayException;
import dev.caravan.core.PlacementRequest;
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

    public PassthroughRequestParser(CompletionRequestParser completions, BoundedBodyReader reader, RequestIds ids) {
        this.completions = completions;
        this.reader = reader;
        this.ids = ids;
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
        PlacementRequest placement = new PlacementRequest(requestId,
                model == null || model.isNull() ? null : model.asText(), "", null, null, Set.of());
        new CompletionCall(path, body, false, placement, null).attachTo(exchange);
    }
}
