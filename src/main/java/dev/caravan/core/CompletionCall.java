package dev.caravan.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

/**
 * One client request on its way to an engine (a completion, or a call forwarded as it is such as
 * {@code /tokenize}): what the client asked for, its admission, where placement put it and why. The
 * one object the steps of the routes share: the parse step attaches it to the exchange, every later
 * step reads it through {@link #of} and fills in its own part.
 *
 * <p>Not synchronised: the steps of one exchange run one after the other, each handing over to the
 * next through Camel, which publishes what the previous one wrote.
 */
public final class CompletionCall {

    private static final String PROPERTY = "caravanCall";

    private final String path;
    private final ObjectNode body;
    private final boolean stream;
    private final byte[] raw;
    private PlacementRequest request;
    private AdmissionSlot admission;
    private PlacementPolicy placedBy;
    private PlacementDecision decision;
    private GatewayException noEngineLeft;
    private SentLoad sentLoad;

    /**
     * @param path    the engine path to call, e.g. /v1/chat/completions
     * @param body    the JSON body; never changed (a retry on another engine starts from it)
     * @param stream  whether the client asked for server-sent events
     * @param request what the placement policy sees
     * @param raw     the body exactly as the client sent it, or null: forwarded as is when the engine
     *                needs no changed field, which saves serialising the tree again
     */
    public CompletionCall(String path, ObjectNode body, boolean stream, PlacementRequest request, byte[] raw) {
        this.path = path;
        this.body = body;
        this.stream = stream;
        this.request = request;
        this.raw = raw;
    }

    /** The exchange's call. @throws IllegalStateException when no parse step ran before this one */
    public static CompletionCall of(Exchange exchange) {
        CompletionCall call = exchange.getProperty(PROPERTY, CompletionCall.class);
        if (call == null) {
            throw new IllegalStateException("No request was parsed on route " + exchange.getFromRouteId()
                    + ": the parse step must come first");
        }
        return call;
    }

    /** The exchange's call, or null when the request was refused before it was parsed. */
    public static CompletionCall ifParsed(Exchange exchange) {
        return exchange.getProperty(PROPERTY, CompletionCall.class);
    }

    /** Makes this the exchange's call (the parse step). */
    public void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }

    public String path() { return path; }
    public ObjectNode body() { return body; }
    public boolean stream() { return stream; }
    public byte[] raw() { return raw; }
    /** What placement sees; after a failover it excludes the engines that failed. */
    public PlacementRequest request() { return request; }
    public String model() { return request.model(); }
    public WorkflowMetadata workflow() { return request.workflow(); }
    public String requestId() { return request.requestId(); }

    // ---- admission ----

    /** The admission step let the request through, holding {@code slot} until it is sent. */
    public void admitted(AdmissionSlot slot) {
        this.admission = slot;
    }

    /** The slot the request holds from admission until it is sent, or null (none was needed). */
    public AdmissionSlot admission() { return admission; }

    // ---- placement ----

    /**
     * {@code policy} chose {@code decision}; a request that waited in the admission queue is reported
     * with the reason {@code queue} (where it went matters less to the client than that it waited).
     */
    public void placed(PlacementPolicy policy, PlacementDecision decision) {
        this.placedBy = policy;
        this.decision = admission != null && admission.queued()
                ? decision.withReason(PlacementReason.QUEUE) : decision;
    }

    /** The engine {@code engineId} failed before answering: placement must choose again without it. */
    public void exclude(String engineId) {
        this.request = request.withExcluded(engineId);
    }

    /** A failover found no engine left: the forward step ends the request with this error. */
    public void noEngineLeft(GatewayException error) {
        this.noEngineLeft = error;
    }

    /** Set when a failover found no engine left, else null. */
    public GatewayException noEngineLeftError() { return noEngineLeft; }

    /** The policy that placed the request (failover asks it again, and it learns where the prompt went). */
    public PlacementPolicy placedBy() { return placedBy; }

    /** Where the request goes and why; null until placed. */
    public PlacementDecision decision() { return decision; }

    // ---- sending ----

    /** The load the call met on its engine when it was sent (a listener of the send notes it). */
    public void sentInto(SentLoad load) {
        this.sentLoad = load;
    }

    /** The load met when the call was last sent, or null when no listener noted it. */
    public SentLoad sentLoad() { return sentLoad; }
}
