package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.core.EngineCostView;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * GET /health: 200 when the gateway can serve, that is at least one engine is healthy and the
 * broker answers; 503 otherwise, with the same body so an operator sees which part is down.
 */
public class GatewayHealth implements Processor {

    private final EngineRegistry registry;
    private final BooleanSupplier brokerUp;
    private final ObjectMapper mapper;
    private final EngineCostView costs;

    /** @param costs the engines' learnt costs, shown per engine as {@code cost_model}, or null */
    public GatewayHealth(EngineRegistry registry, BooleanSupplier brokerUp, ObjectMapper mapper, EngineCostView costs) {
        this.registry = registry;
        this.brokerUp = brokerUp;
        this.mapper = mapper;
        this.costs = costs;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode engines = root.putArray("engines");
        int healthy = 0;
        for (Engine e : registry.all()) {
            ObjectNode n = engines.addObject();
            n.put("id", e.id());
            n.put("url", e.url().toString());
            n.put("healthy", e.isHealthy());
            n.put("circuit_open", e.isCircuitOpen());
            n.put("in_flight", e.inFlight());
            n.put("running", e.running());
            n.put("waiting", e.waiting());
            n.put("kv_cache_usage", e.kvCacheUsage());
            n.put("kv_cache_tokens", e.kvCacheTokens());
            Map<String, Object> cost = costs == null ? null : costs.describe(e.id());
            if (cost != null) n.set("cost_model", mapper.valueToTree(cost));
            if (e.isHealthy()) {
                healthy++;
            }
        }
        boolean broker = brokerUp.getAsBoolean();
        boolean ready = healthy > 0 && broker;
        root.put("status", ready ? "ok" : "unavailable");
        root.put("healthy_engines", healthy);
        root.put("broker", broker ? "up" : "down");
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, ready ? 200 : 503);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!ready) {
            out.setHeader("Retry-After", "1");
        }
        out.setBody(mapper.writeValueAsBytes(root));
    }
}
