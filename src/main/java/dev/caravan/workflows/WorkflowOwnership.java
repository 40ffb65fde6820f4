package dev.caravan.workflows;

import dev.caravan.messaging.NativeWorkflowAccess;
import dev.caravan.core.CallerKey;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.GatewayException;
import dev.caravan.core.WorkflowIds;
import dev.caravan.core.WorkflowMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.camel.Exchange;

/**
 * Which API key a workflow belongs to, and so who may touch it over REST. The key that first uses a
 * workflow id (a completion naming it in {@code workflow_metadata}, or a message sent or received on
 * it) owns it; any other key is answered 404 {@code workflow_not_found}, exactly as for an id that
 * does not exist, so ids of other keys' workflows cannot be probed (a 403 would confirm they exist).
 *
 * <p>Owners are held by key id ({@link CallerKey}), never by key. A binding lasts as long as its
 * workflow: while the registry tracks it (completion TTL) or it has agent queues (messaging idle
 * TTL), and ends on deletion, after which the id is free for any key. Without API keys every
 * request is anonymous and nothing here refuses anything; admin keys see every workflow and own none.
 *
 * <p>Bindings are this replica's memory: after a restart, or on another replica sharing an
 * external broker, the first key to use an existing workflow becomes its owner there.
 */
public final class WorkflowOwnership {

    /** A fresh binding is kept though its workflow is not yet registered (its first request is still under way). */
    private static final Duration GRACE = Duration.ofMinutes(1);

    private record Binding(String owner, long boundAtMillis) { }

    private final ConcurrentHashMap<String, Binding> owners = new ConcurrentHashMap<>();
    private final WorkflowRegistry registry;
    /** Whether the workflow still has agent queues (messaging side). */
    private final Predicate<String> hasQueues;
    /** Every workflow that has agent queues now (one broker listing), for the sweep. */
    private final java.util.function.Supplier<Set<String>> withQueues;
    private final Clock clock;
    /** The same binding on the broker, for native clients. */
    private final NativeWorkflowAccess nativeAccess;

    public WorkflowOwnership(WorkflowRegistry registry, Predicate<String> hasQueues,
                             java.util.function.Supplier<Set<String>> withQueues, Clock clock,
                             NativeWorkflowAccess nativeAccess) {
        this.nativeAccess = nativeAccess;
        this.registry = registry;
        this.hasQueues = hasQueues;
        this.withQueues = withQueues;
        this.clock = clock;
    }

    /** Route step (messages sent, received or streamed): the path's workflow, claimed for the caller. */
    public void claimPath(Exchange exchange) {
        claim(pathWorkflowId(exchange), CallerKey.of(exchange));
    }

    /** Route step (status, deletion, acknowledgements): refuses the path's workflow if another key owns it. */
    public void checkPath(Exchange exchange) {
        String id = pathWorkflowId(exchange);
        if (!mayUse(id, CallerKey.of(exchange))) throw notFound(id);
    }

    /** Route step before admission: a completion naming a workflow claims it (plain requests pass). */
    public void claimCompletion(Exchange exchange) {
        WorkflowMetadata md = CompletionCall.of(exchange).request().workflow();
        if (md != null && md.workflowId() != null) claim(md.workflowId(), CallerKey.of(exchange));
    }

    /** Binds {@code workflowId} to {@code caller} unless another key holds it (then 404). */
    public void claim(String workflowId, CallerKey caller) {
        if (caller == null || caller.admin()) return; // an admin key sees every workflow and owns none
        Binding held = owners.get(workflowId);
        if (held != null && held.owner().equals(caller.id())) return; // the common case: no allocation
        long now = clock.millis();
        Binding mine = new Binding(caller.id(), now);
        if (held == null && (held = owners.putIfAbsent(workflowId, mine)) == null) {
            bound(workflowId, caller);
            return;
        }
        if (held.owner().equals(caller.id())) return;
        // Another key's binding: stands while its workflow lives, else the id is free again.
        if (alive(workflowId, held, now) || !owners.replace(workflowId, held, mine)) throw notFound(workflowId);
        bound(workflowId, caller);
    }

    /** Once per new binding: native logins of other keys are shut out too. */
    private void bound(String workflowId, CallerKey caller) {
        if (WorkflowIds.isQueueSafe(workflowId)) nativeAccess.restrictTo(workflowId, caller.id());
    }

    /** Whether {@code caller} may see the workflow: anonymous callers, unbound ids and the owner may. */
    public boolean mayUse(String workflowId, CallerKey caller) {
        if (caller == null || caller.admin()) return true;
        Binding held = owners.get(workflowId);
        return held == null || held.owner().equals(caller.id()) || !alive(workflowId, held, clock.millis());
    }

    /** Whether {@code caller} is shown the workflow in listings: its own only (all of them when anonymous). */
    public boolean listedFor(String workflowId, CallerKey caller) {
        if (caller == null || caller.admin()) return true;
        Binding held = owners.get(workflowId);
        return held != null && held.owner().equals(caller.id());
    }

    /** The workflow was deleted: its id is free for any key. */
    public void release(String workflowId) {
        if (owners.remove(workflowId) != null && WorkflowIds.isQueueSafe(workflowId)) nativeAccess.release(workflowId);
    }

    /** Forgets bindings whose workflow is gone (expired and its queues swept). Off the request path. */
    public int sweep() {
        if (owners.isEmpty()) return 0;
        Set<String> queued = withQueues.get();
        long now = clock.millis();
        int removed = 0;
        for (var e : owners.entrySet()) {
            Binding b = e.getValue();
            if (now - b.boundAtMillis() >= GRACE.toMillis() && registry.get(e.getKey()) == null
                    && !queued.contains(e.getKey()) && owners.remove(e.getKey(), b)) {
                if (WorkflowIds.isQueueSafe(e.getKey())) nativeAccess.release(e.getKey());
                removed++;
            }
        }
        return removed;
    }

    int size() { return owners.size(); }

    private boolean alive(String workflowId, Binding held, long now) {
        return now - held.boundAtMillis() < GRACE.toMillis() || registry.get(workflowId) != null
                || hasQueues.test(workflowId);
    }

    private static String pathWorkflowId(Exchange exchange) {
        return WorkflowIds.require(exchange.getIn().getHeader("workflowId", String.class), "workflow_id");
    }

    static GatewayException notFound(String id) {
        return GatewayException.notFound("workflow_not_found", "workflow_id", "Workflow '" + id + "' not found");
    }
}
