package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** GET /v1/models: every model some healthy engine serves, once, in vLLM's list shape. */
public class ListModels implements Processor {

    private final EngineRegistry registry;
    private final ObjectMapper mapper;
    private final long created = System.currentTimeMillis() / 1000;

    public ListModels(EngineRegistry registry, ObjectMapper mapper) {
        this.registry = registry;
        this.mapper = mapper;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        TreeMap<String, Integer> models = new TreeMap<>();
        for (Engine e : registry.all()) {
            if (e.isHealthy()) {
                e.servedModels().forEach(m -> models.merge(m, 1, Integer::sum));
            }
        }
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        models.forEach((id, engines) -> {
            ObjectNode m = data.addObject();
            m.put("id", id);
            m.put("object", "model");
            m.put("created", created);
            m.put("owned_by", "vllm");
            m.put("root", id);
            m.putNull("parent");
            m.put("engines", engines);
        });
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(mapper.writeValueAsBytes(root));
    }
}
