package dev.caravan.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.GatewayException;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * {@code POST .../agents/{agentId}/messages/ack} with {@code {"message_ids": [...]}}: acknowledges
 * leased messages. Ids that are not leased any more (lease expired, already acknowledged) are
 * listed in {@code not_found}; those messages are back in the queue or gone, never lost silently.
 */
@Component("leaseAcknowledgement")
public class LeaseAcknowledgement {

    private final MessageLeases leases;
    private final ObjectMapper mapper;
    /** Refuses bytes after the JSON value, as the completion endpoints do, rather than dropping them silently. */
    private final ObjectReader strictJson;

    public LeaseAcknowledgement(MessageLeases leases, ObjectMapper mapper) {
        this.leases = leases;
        this.mapper = mapper;
        this.strictJson = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public void acknowledge(Exchange exchange) throws Exception {
        String workflowId = AgentAddresses.requireId(exchange.getMessage().getHeader("workflowId", String.class), "workflow_id");
        String agentId = AgentAddresses.requireId(exchange.getMessage().getHeader("agentId", String.class), "agent_id");
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        JsonNode body;
        try {
            body = raw == null || raw.length == 0 ? null : strictJson.readTree(raw);
        } catch (Exception e) {
            body = null;
        }
        JsonNode ids = body == null ? null : body.get("message_ids");
        if (ids == null || !ids.isArray()) {
            throw GatewayException.badRequest("message_ids", "Send {\"message_ids\": [...]} as application/json");
        }
        List<String> requested = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw GatewayException.badRequest("message_ids", "message_ids must be strings");
            }
            requested.add(id.asText());
        }
        List<String> unknown = leases.acknowledge(workflowId, agentId, requested);
        ObjectNode out = mapper.createObjectNode();
        out.put("acknowledged", requested.size() - unknown.size());
        ArrayNode notFound = out.putArray("not_found");
        unknown.forEach(notFound::add);
        exchange.getMessage().setBody(mapper.writeValueAsBytes(out));
    }
}
