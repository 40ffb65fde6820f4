package dev.caravan.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.routing.PlacementRequest;
import dev.caravan.workflows.WorkflowMetadata;

/**
 * A validated OpenAI request on its way to an engine.
 *
 * @param path        the engine path to call, e.g. /v1/chat/completions
 * @param body        the JSON body, still mutable so the forwarder can adjust engine fields
 * @param stream      whether the client asked for server-sent events
 * @param placement   what the placement policy sees
 * @param raw         the body exactly as the client sent it, or null: forwarded as is when the
 *                    engine needs no changed field, which saves serialising the tree again
 */
public record ParsedRequest(String path, ObjectNode body, boolean stream, PlacementRequest placement, byte[] raw) {

    public static final String PROPERTY = "caravanRequest";

    public ParsedRequest(String path, ObjectNode body, boolean stream, PlacementRequest placement) {
        this(path, body, stream, placement, null);
    }

    public String model() { return placement.model(); }

    public WorkflowMetadata workflow() { return placement.workflow(); }
}
