package dev.caravan.workflows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.CallerKey;
import dev.caravan.core.GatewayException;
import dev.caravan.core.WorkflowIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The workflow status API behind {@code routes/workflows.camel.yaml}: status of one workflow, a
 * page of live ones, totals, and ending a workflow (which frees its routing state and, through the
 * registry's end listeners, its message queues).
 */
public class WorkflowApi {

    private static final int MAX_PAGE = 500;

    private final WorkflowRegistry registry;
    private final ObjectMapper mapper;
    private final List<java.util.function.ToIntFunction<String>> onDelete;
    /** The {@code message_queue} section of the stats (from the broker), listing the workflows a predicate shows. */
    private final Function<Predicate<String>, ?> messageQueue;
    /** Who may see which workflow (with API keys: each key its own). */
    private final WorkflowOwnership ownership;

    public WorkflowApi(WorkflowRegistry registry, ObjectMapper mapper, List<java.util.function.ToIntFunction<String>> onDelete,
                       Function<Predicate<String>, ?> messageQueue, WorkflowOwnership ownership) {
        this.ownership = ownership;
        this.registry = registry;
        this.mapper = mapper;
        this.onDelete = List.copyOf(onDelete);
        this.messageQueue = messageQueue;
    }

    public void status(Exchange exchange) throws Exception {
        String id = workflowId(exchange);
        WorkflowStatus status = ownership.mayUse(id, CallerKey.of(exchange)) ? registry.status(id) : null;
        if (status == null) {
            throw notFound(id);
        }
        json(exchange, 200, status);
    }

    public void list(Exchange exchange) throws Exception {
        int offset = intParam(exchange, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(exchange, "limit", 50, 1, MAX_PAGE);
        json(exchange, 200, registry.list(offset, limit, shownTo(CallerKey.of(exchange))));
    }

    /**
     * A superset: Caravan's flat totals, plus production-stack's workflow PR's sections
     * ({@code workflow_routing}, {@code workflow_manager}, {@code message_queue}) with their keys, so
     * a client written against either reads what it expects.
     */
    public void stats(Exchange exchange) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(mapper.convertValue(registry.stats(), MAP));
        body.put("workflow_routing", registry.routingSection());
        body.put("workflow_manager", registry.managerSection());
        body.put("message_queue", messageQueueSection(shownTo(CallerKey.of(exchange))));
        json(exchange, 200, body);
    }

    /** The routing figures stay readable while the broker is down: the section says why it is missing. */
    private Object messageQueueSection(Predicate<String> shown) {
        try {
            return messageQueue.apply(shown == null ? id -> true : shown);
        } catch (RuntimeException e) {
            return Map.of("error", "the message broker is not available");
        }
    }

    /** The workflows a caller is shown in listings: null (all) without keys or for an admin key, else its own. */
    private Predicate<String> shownTo(CallerKey caller) {
        return caller == null || caller.admin() ? null : id -> ownership.listedFor(id, caller);
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

    public void delete(Exchange exchange) throws Exception {
        String id = workflowId(exchange);
        if (!ownership.mayUse(id, CallerKey.of(exchange))) {
            throw notFound(id);
        }
        boolean routed = registry.end(id);
        // queues may exist for a workflow the router never saw (agents that only message)
        int queues = 0;
        for (java.util.function.ToIntFunction<String> hook : onDelete) {
            queues += hook.applyAsInt(id);
        }
        ownership.release(id);
        if (!routed && queues == 0) {
            throw notFound(id);
        }
        json(exchange, 200, java.util.Map.of("workflow_id", id, "deleted", true, "queues_removed", queues));
    }

    private static String workflowId(Exchange exchange) {
        return WorkflowIds.require(exchange.getIn().getHeader("workflowId", String.class), "workflow_id");
    }

    private static GatewayException notFound(String id) {
        return GatewayException.notFound("workflow_not_found", "workflow_id", "Workflow '" + id + "' not found");
    }

    private static int intParam(Exchange exchange, String name, int dflt, int min, int max) {
        String v = exchange.getIn().getHeader(name, String.class);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw GatewayException.badRequest(name, name + " must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest(name, name + " must be an integer");
        }
    }

    private void json(Exchange exchange, int status, Object body) throws Exception {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(mapper.writeValueAsBytes(body));
    }
}
