package dev.caravan.workflows;

import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.core.WorkflowMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live workflows: registered at their first request, expired after {@code ttl} without activity,
 * at most {@code maxWorkflows} live (the least recently active is evicted first).
 *
 * <p>Structure: a {@link ConcurrentHashMap} for lock-free lookups (status API, outcomes) plus an
 * intrusive doubly linked list through the states in order of last activity. Because that order is
 * also expiry order, expiry pops from the head in amortised O(1) on every registration — no timer
 * thread, no scan. The list lock is held for a few pointer updates; listeners run after it is released.
 * (Caffeine's size bound is deliberately not used here: its TinyLFU admission may reject a brand-new
 * workflow instead of evicting the least recently active one, which is not the contract.)
 *
 * <p>Ending a workflow (explicitly, by TTL or by eviction) drops its state, and with it its home and
 * statistics; the end listeners are told (messaging queues, lineage of its latest requests). Prefix
 * index entries are shared between workflows, so they are not dropped; they age out by LRU.
 */
public final class WorkflowRegistry implements RequestOutcomeListener {

    private static final Logger log = LoggerFactory.getLogger(WorkflowRegistry.class);

    /** Why a workflow stopped being live. */
    public enum EndCause { ENDED, EXPIRED, EVICTED }

    private final long ttlMillis;
    private final int maxWorkflows;
    private final Clock clock;
    /** An engine's URL by its id, for the status API (the plan reports instances by URL). */
    private final UnaryOperator<String> engineUrl;
    private final ConcurrentHashMap<String, WorkflowState> byId;
    private final ReentrantLock lock = new ReentrantLock();
    private WorkflowState lruHead; // least recently active
    private WorkflowState lruTail; // most recently active

    private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<WorkflowState>> stateEndListeners = new CopyOnWriteArrayList<>();

    private final HomeCounts homes = new HomeCounts();
    private final LongAdder registered = new LongAdder();
    /** Workflow requests placed (one per touch): the PR's {@code routing_decisions}. */
    private final LongAdder decisions = new LongAdder();
    private final LongAdder ended = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder cachedTokens = new LongAdder();

    /**
     * @param ttl          inactivity after which a workflow is forgotten (seed plan default 3600 s)
     * @param maxWorkflows live workflows at most (seed plan default 1000)
     * @param clock        time source; tests pass a mutable clock instead of sleeping
     */
    public WorkflowRegistry(Duration ttl, int maxWorkflows, Clock clock) {
        this(ttl, maxWorkflows, clock, engineId -> engineId);
    }

    /** @param engineUrl an engine's URL by its id (the id itself for an engine not configured any more) */
    public WorkflowRegistry(Duration ttl, int maxWorkflows, Clock clock, UnaryOperator<String> engineUrl) {
        this.engineUrl = engineUrl;
        if (maxWorkflows < 1) throw new IllegalArgumentException("maxWorkflows must be >= 1");
        this.ttlMillis = ttl.toMillis();
        this.maxWorkflows = maxWorkflows;
        this.clock = clock;
        this.byId = new ConcurrentHashMap<>(Math.min(maxWorkflows, 1 << 16));
    }

    /** Called with the workflow id whenever a workflow ends, expires or is evicted. Must not block. */
    public void addEndListener(Consumer<String> listener) { endListeners.add(listener); }

    /** Like {@link #addEndListener} with the whole final state (used to drop lineage entries). */
    public void addStateEndListener(Consumer<WorkflowState> listener) { stateEndListeners.add(listener); }

    public long nowMillis() { return clock.millis(); }

    /** Live workflows per home engine (for balancing new homes). */
    public HomeCounts homes() { return homes; }

    /**
     * Registers the workflow at its first request or marks it active; returns its state. Expired
     * workflows are replaced by a fresh state (their statistics are gone, as the TTL promises).
     */
    public WorkflowState touch(WorkflowMetadata md) {
        String id = md.workflowId();
        if (id == null) throw new IllegalArgumentException("workflow id is required");
        long now = clock.millis();
        List<WorkflowState> gone = null;
        WorkflowState st;
        decisions.increment();
        lock.lock();
        try {
            st = byId.get(id);
            if (st != null && expired(st, now)) {
                gone = unlinkAndCollect(st, gone);
                expired.increment();
                st = null;
            }
            if (st == null) {
                st = new WorkflowState(id, now, homes);
                byId.put(id, st);
                linkTail(st);
                registered.increment();
            } else {
                st.lastActiveMillis = now;
                moveToTail(st);
            }
            // Expire from the head (oldest activity first), then enforce the size bound.
            while (lruHead != null && lruHead != st && expired(lruHead, now)) {
                gone = unlinkAndCollect(lruHead, gone);
                expired.increment();
            }
            while (byId.size() > maxWorkflows && lruHead != st) {
                WorkflowState victim = lruHead;
                gone = unlinkAndCollect(victim, gone);
                evicted.increment();
                log.info("workflow {} evicted: {} live workflows is the limit (caravan.workflow-support.max-workflows)",
                        victim.id(), maxWorkflows);
            }
        } finally {
            lock.unlock();
        }
        st.noteRequest(md, now);
        if (gone != null) notifyEnded(gone);
        return st;
    }

    /** The live workflow, or null; does not count as activity. */
    public WorkflowState get(String workflowId) {
        WorkflowState st = byId.get(workflowId);
        return st == null || expired(st, clock.millis()) ? null : st;
    }

    /** Status snapshot for the API, or null when the workflow is unknown or expired. */
    public WorkflowStatus status(String workflowId) {
        WorkflowState st = get(workflowId);
        return st == null ? null : st.snapshot(engineUrl);
    }

    /** Ends the workflow now and frees its routing state. @return whether it was live */
    public boolean end(String workflowId) {
        WorkflowState st;
        lock.lock();
        try {
            st = byId.get(workflowId);
            if (st == null) return false;
            unlink(st);
        } finally {
            lock.unlock();
        }
        ended.increment();
        notifyEnded(List.of(st));
        return true;
    }

    /** Removes every expired workflow; returns how many. Call it periodically when traffic is idle. */
    public int sweep() {
        long now = clock.millis();
        List<WorkflowState> gone = null;
        lock.lock();
        try {
            while (lruHead != null && expired(lruHead, now)) {
                gone = unlinkAndCollect(lruHead, gone);
                expired.increment();
            }
        } finally {
            lock.unlock();
        }
        if (gone == null) return 0;
        notifyEnded(gone);
        return gone.size();
    }

    /** Live workflows, most recently active first. */
    public WorkflowPage list(int offset, int limit) {
        return list(offset, limit, null);
    }

    /**
     * Live workflows whose id {@code shown} accepts (all when null), most recently active first; the
     * total counts those only, so a filtered page walks the whole list.
     */
    public WorkflowPage list(int offset, int limit, java.util.function.Predicate<String> shown) {
        if (offset < 0 || limit < 0) throw new IllegalArgumentException("offset and limit must be >= 0");
        sweep();
        List<WorkflowState> page = new ArrayList<>(Math.min(limit, 1024));
        long total;
        lock.lock();
        try {
            if (shown == null) {
                total = byId.size();
                WorkflowState s = lruTail;
                for (int skipped = 0; s != null && skipped < offset; skipped++) s = s.lruPrev;
                for (; s != null && page.size() < limit; s = s.lruPrev) page.add(s);
            } else {
                long seen = 0;
                for (WorkflowState s = lruTail; s != null; s = s.lruPrev) {
                    if (!shown.test(s.id())) continue;
                    if (seen >= offset && page.size() < limit) page.add(s);
                    seen++;
                }
                total = seen;
            }
        } finally {
            lock.unlock();
        }
        List<WorkflowStatus> items = new ArrayList<>(page.size());
        for (WorkflowState s : page) items.add(s.snapshot(engineUrl));
        return new WorkflowPage(total, offset, limit, items);
    }

    /** Registry-wide totals. */
    public WorkflowTotals stats() {
        long moves = 0;
        for (WorkflowState s : byId.values()) moves += s.moveCount();
        long req = requests.sum(), hits = cacheHits.sum(), prompt = promptTokens.sum(), cached = cachedTokens.sum();
        return new WorkflowTotals(byId.size(), maxWorkflows, registered.sum(), ended.sum(), expired.sum(),
                evicted.sum(), req, hits, WorkflowState.rate(hits, req), prompt, cached,
                WorkflowState.rate(cached, prompt), moves);
    }

    /** production-stack's workflow PR's {@code workflow_routing} section of the stats. */
    public WorkflowStatsSections.Routing routingSection() {
        long req = requests.sum(), hits = cacheHits.sum();
        return new WorkflowStatsSections.Routing(req, hits, WorkflowState.rate(hits, req), decisions.sum());
    }

    /**
     * production-stack's workflow PR's {@code workflow_manager} section: one pass over the live workflows
     * (the stats endpoint is for operators, not the request path).
     */
    public WorkflowStatsSections.Manager managerSection() {
        long agents = 0;
        double rates = 0;
        int n = 0;
        java.util.Map<String, Long> byInstance = new java.util.TreeMap<>();
        long now = clock.millis();
        for (WorkflowState s : byId.values()) {
            if (expired(s, now)) continue;
            n++;
            agents += s.activeAgents();
            rates += s.cacheHitRate();
            String engine = s.assignedEngine();
            if (engine != null) byInstance.merge(engineUrl.apply(engine), 1L, Long::sum);
        }
        return new WorkflowStatsSections.Manager(registered.sum(), expired.sum(), n, agents, n == 0 ? 0.0 : rates / n,
                byInstance);
    }

    public int size() { return byId.size(); }
    public long evictions() { return evicted.sum(); }
    public long expirations() { return expired.sum(); }
    public int maxWorkflows() { return maxWorkflows; }
    public Duration ttl() { return Duration.ofMillis(ttlMillis); }

    /**
     * Statistics from what the engine reported. Outcomes of unknown or ended workflows are counted in
     * the totals only (a late answer must not resurrect an ended workflow).
     */
    @Override
    public void onOutcome(RequestOutcome outcome) {
        WorkflowMetadata md = outcome.request() == null ? null : outcome.request().workflow();
        if (md == null || md.workflowId() == null) return;
        boolean error = outcome.status() == 0 || outcome.status() >= 400 || outcome.failedMidStream();
        requests.increment();
        if (outcome.promptTokens() > 0) promptTokens.add(outcome.promptTokens());
        if (outcome.cachedTokens() > 0) {
            cachedTokens.add(outcome.cachedTokens());
            cacheHits.increment();
        }
        long now = clock.millis();
        WorkflowState st = byId.get(md.workflowId());
        if (st == null || expired(st, now)) return;
        st.recordOutcome(md.agentId(), outcome.promptTokens(), outcome.cachedTokens(), outcome.completionTokens(),
                outcome.ttftNanos(), error, now);
        lock.lock();
        try {
            if (!st.removed) {
                st.lastActiveMillis = now;
                moveToTail(st);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean expired(WorkflowState st, long now) {
        return now - st.lastActiveMillis >= ttlMillis;
    }

    private void notifyEnded(List<WorkflowState> gone) {
        for (WorkflowState s : gone) {
            s.releaseHome();
            for (Consumer<WorkflowState> l : stateEndListeners) safely(() -> l.accept(s), s);
            for (Consumer<String> l : endListeners) safely(() -> l.accept(s.id()), s);
        }
    }

    private static void safely(Runnable r, WorkflowState s) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("workflow end listener failed for {}", s.id(), e);
        }
    }

    // ---- intrusive LRU list, guarded by lock ----

    private List<WorkflowState> unlinkAndCollect(WorkflowState s, List<WorkflowState> gone) {
        unlink(s);
        if (gone == null) gone = new ArrayList<>(2);
        gone.add(s);
        return gone;
    }

    private void unlink(WorkflowState s) {
        byId.remove(s.id(), s);
        s.removed = true;
        WorkflowState p = s.lruPrev, n = s.lruNext;
        if (p != null) p.lruNext = n; else lruHead = n;
        if (n != null) n.lruPrev = p; else lruTail = p;
        s.lruPrev = s.lruNext = null;
    }

    private void linkTail(WorkflowState s) {
        s.lruPrev = lruTail;
        s.lruNext = null;
        if (lruTail != null) lruTail.lruNext = s; else lruHead = s;
        lruTail = s;
    }

    private void moveToTail(WorkflowState s) {
        if (s == lruTail) return;
        WorkflowState p = s.lruPrev, n = s.lruNext;
        if (p != null) p.lruNext = n; else lruHead = n;
        if (n != null) n.lruPrev = p; else lruTail = p;
        linkTail(s);
    }
}
