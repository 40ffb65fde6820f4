package dev.caravan.workflows;

import dev.caravan.core.WorkflowMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the gateway keeps about one live workflow: its routing state (home engine, spill run)
 * and its statistics. Owned by {@link WorkflowRegistry}; handed to the placement policy on each
 * request.
 *
 * <p>Thread-safety: the home is volatile so the request path reads it without locking; every
 * read-modify-write (statistics, spill run, moves) synchronises on this object, which is held for a
 * few field updates only, never across I/O. Per-workflow collections are created lazily and capped,
 * because 100,000 live workflows must fit in a small heap.
 */
public final class WorkflowState {

    /** Agents tracked individually per workflow; later agents are counted under {@link #OTHER_AGENTS}. */
    public static final int MAX_AGENTS = 64;
    public static final String OTHER_AGENTS = "~other";
    static final String NO_AGENT = "";
    /** Latest moves kept for the status API (the count is kept separately). */
    static final int MAX_MOVES = 16;
    /** Secondary homes kept per workflow; a further one replaces the oldest. */
    static final int MAX_SECONDARY_HOMES = 8;
    private static final String[] NO_SECONDARY_HOMES = new String[0];
    /** Latest request ids kept so that ending the workflow can drop their lineage entries. */
    static final int RECENT_REQUESTS = 8;

    private final String id;
    private final long createdAtMillis;
    private final HomeCounts homes;

    // Registry bookkeeping: guarded by the registry's lock.
    volatile long lastActiveMillis;
    WorkflowState lruPrev;
    WorkflowState lruNext;
    boolean removed;

    // Routing state.
    private volatile String home;
    /** Copy on write: read on the request path without locking. */
    private volatile String[] secondaryHomes = NO_SECONDARY_HOMES;
    /** Set when the workflow ended: its home no longer counts, even if a request still holds this state. */
    private boolean homeReleased;
    private int consecutiveSpills;
    private long firstSpillMillis;
    private long moveCount;
    private ArrayDeque<WorkflowMove> moves;
    private String[] recentRequests;
    private int recentNext;
    /** Engine of the latest routed request: what the status reports for a workflow without a home. */
    private volatile String lastEngine;
    private volatile String strategy = "auto";
    private volatile double priority = WorkflowMetadata.DEFAULT_PRIORITY;

    // Statistics.
    private long routed;
    private final Counts total = new Counts();
    private Map<String, Counts> agents;

    WorkflowState(String id, long nowMillis, HomeCounts homes) {
        this.id = id;
        this.homes = homes;
        this.createdAtMillis = nowMillis;
        this.lastActiveMillis = nowMillis;
    }

    public String id() { return id; }
    public long createdAtMillis() { return createdAtMillis; }
    public long lastActiveMillis() { return lastActiveMillis; }

    /** Current home engine id, or null before the first affinity placement. */
    public String home() { return home; }

    /**
     * Engines that also hold the workflow's context because a request spread there (never the home);
     * do not change the array.
     */
    public String[] secondaryHomes() { return secondaryHomes; }

    /** A request of the workflow spread to {@code engineId}: it holds the context from now on. */
    public synchronized void addSecondaryHome(String engineId) {
        String[] s = secondaryHomes;
        if (engineId.equals(home)) return;
        for (String e : s) if (e.equals(engineId)) return;
        int keep = Math.min(s.length, MAX_SECONDARY_HOMES - 1);
        String[] next = new String[keep + 1];
        System.arraycopy(s, s.length - keep, next, 0, keep);
        next[keep] = engineId;
        secondaryHomes = next;
    }

    private void dropSecondaryHome(String engineId) {
        String[] s = secondaryHomes;
        for (int i = 0; i < s.length; i++) {
            if (!s[i].equals(engineId)) continue;
            String[] next = new String[s.length - 1];
            System.arraycopy(s, 0, next, 0, i);
            System.arraycopy(s, i + 1, next, i, s.length - i - 1);
            secondaryHomes = next;
            return;
        }
    }

    /** The strategy of the latest request (for the status API). */
    public String strategy() { return strategy; }
    public double priority() { return priority; }

    /** Remembers what the latest request said about the workflow and its agent. */
    void noteRequest(WorkflowMetadata md, long nowMillis) {
        strategy = md.contextSharingStrategy().label();
        priority = md.workflowPriority();
        synchronized (this) {
            agent(md.agentId()).lastActiveMillis = nowMillis;
        }
    }

    /**
     * Sets the first home (not a move). Returns the home in force afterwards: if a concurrent request
     * already chose one, that one wins so all requests of a workflow agree.
     */
    public synchronized String assignHomeIfAbsent(String engineId) {
        if (home == null) {
            home = engineId;
            if (!homeReleased) homes.moved(null, engineId);
        }
        return home;
    }

    /** Moves the home and records why; a no-op when it is already there. */
    public synchronized void moveHome(String to, String reasonLabel, long nowMillis) {
        String from = home;
        if (to.equals(from)) return;
        home = to;
        if (!homeReleased) homes.moved(from, to);
        dropSecondaryHome(to);
        consecutiveSpills = 0;
        if (from == null) return;
        moveCount++;
        if (moves == null) moves = new ArrayDeque<>(4);
        if (moves.size() == MAX_MOVES) moves.removeFirst();
        moves.addLast(new WorkflowMove(from, to, reasonLabel, nowMillis / 1000.0));
    }

    /** Clears the home (strategy none keeps no affinity). */
    public synchronized void clearHome() {
        if (!homeReleased) homes.moved(home, null);
        home = null;
        secondaryHomes = NO_SECONDARY_HOMES;
        consecutiveSpills = 0;
    }

    /** The workflow ended: stop counting it at its home (the home stays readable for end listeners). */
    synchronized void releaseHome() {
        if (homeReleased) return;
        homeReleased = true;
        homes.moved(home, null);
    }

    /**
     * Counts one spill of the current run.
     *
     * @return {consecutive spills including this one, millis since the first spill of the run}
     */
    public synchronized long[] recordSpill(long nowMillis) {
        if (consecutiveSpills == 0) firstSpillMillis = nowMillis;
        consecutiveSpills++;
        return new long[] {consecutiveSpills, nowMillis - firstSpillMillis};
    }

    /**
     * The run {@link #recordSpill} would return if a request spilled now, without counting it: what the
     * placement decides by before it changes anything.
     */
    public synchronized long[] spillRunIfSpilled(long nowMillis) {
        return new long[] {consecutiveSpills + 1L, consecutiveSpills == 0 ? 0 : nowMillis - firstSpillMillis};
    }

    /** A request was served at home: the overload run is over. */
    public void servedAtHome() {
        if (consecutiveSpills != 0) {
            synchronized (this) { consecutiveSpills = 0; }
        }
    }

    public synchronized int consecutiveSpills() { return consecutiveSpills; }
    public synchronized long moveCount() { return moveCount; }

    /** The request was accepted by {@code engineId}. */
    public synchronized void recordRouted(String requestId, String agentId, String engineId) {
        routed++;
        lastEngine = engineId;
        agent(agentId).lastEngine = engineId;
        if (requestId != null) {
            if (recentRequests == null) recentRequests = new String[RECENT_REQUESTS];
            recentRequests[recentNext] = requestId;
            recentNext = (recentNext + 1) % RECENT_REQUESTS;
        }
    }

    /** The latest request ids routed for this workflow (for lineage cleanup). */
    public synchronized List<String> recentRequestIds() {
        List<String> out = new ArrayList<>(RECENT_REQUESTS);
        if (recentRequests != null) for (String r : recentRequests) if (r != null) out.add(r);
        return out;
    }

    /** Folds in what the engine reported for one finished request. */
    synchronized void recordOutcome(String agentId, long promptTokens, long cachedTokens, long completionTokens,
                                    long ttftNanos, boolean error, long nowMillis) {
        total.add(promptTokens, cachedTokens, completionTokens, ttftNanos, error);
        Counts a = agent(agentId);
        a.add(promptTokens, cachedTokens, completionTokens, ttftNanos, error);
        a.lastActiveMillis = nowMillis;
    }

    private Counts agent(String agentId) {
        String key = agentId == null ? NO_AGENT : agentId;
        if (agents == null) agents = new HashMap<>(4);
        Counts c = agents.get(key);
        if (c == null) {
            if (agents.size() >= MAX_AGENTS) key = OTHER_AGENTS;
            c = agents.computeIfAbsent(key, k -> new Counts());
        }
        return c;
    }

    /** The engine the status reports: the home, else the engine of the latest routed request (may be null). */
    String assignedEngine() {
        String h = home;
        return h != null ? h : lastEngine;
    }

    synchronized double cacheHitRate() { return rate(total.cacheHits, total.requests); }

    synchronized int activeAgents() {
        if (agents == null) return 0;
        return agents.containsKey(NO_AGENT) ? agents.size() - 1 : agents.size();
    }

    /** An immutable snapshot for the API, engines named by id only (tests). */
    public WorkflowStatus snapshot() {
        return snapshot(engineId -> engineId);
    }

    /**
     * An immutable snapshot for the API.
     *
     * @param urlOf an engine's URL by its id (the id itself when the engine is not configured any more)
     */
    public synchronized WorkflowStatus snapshot(java.util.function.UnaryOperator<String> urlOf) {
        List<AgentStatus> agentList = new ArrayList<>(agents == null ? 0 : agents.size());
        if (agents != null) {
            for (Map.Entry<String, Counts> e : agents.entrySet()) {
                if (e.getKey().equals(NO_AGENT) && e.getValue().requests == 0) continue;
                Counts c = e.getValue();
                agentList.add(new AgentStatus(e.getKey().equals(NO_AGENT) ? null : e.getKey(), c.requests,
                        c.cacheHits, rate(c.cacheHits, c.requests), c.promptTokens, c.cachedTokens,
                        rate(c.cachedTokens, c.promptTokens), c.meanTtftMs(), c.lastTtftMs(),
                        c.lastEngine == null ? null : urlOf.apply(c.lastEngine), c.lastEngine,
                        c.lastActiveMillis / 1000.0));
            }
            agentList.sort(java.util.Comparator.comparing(a -> a.agentId() == null ? "" : a.agentId()));
        }
        // A workflow placed by lineage alone (or by a policy that keeps no home) is where its latest request went.
        String assigned = home != null ? home : lastEngine;
        List<String> secondaryUrls = new ArrayList<>(secondaryHomes.length);
        for (String e : secondaryHomes) secondaryUrls.add(urlOf.apply(e));
        return new WorkflowStatus(id, createdAtMillis / 1000.0, lastActiveMillis / 1000.0, activeAgents(),
                total.requests, total.cacheHits, rate(total.cacheHits, total.requests),
                assigned == null ? null : urlOf.apply(assigned), assigned,
                List.copyOf(secondaryUrls), List.of(secondaryHomes), routed,
                total.promptTokens, total.cachedTokens, total.completionTokens,
                rate(total.cachedTokens, total.promptTokens), total.meanTtftMs(), total.lastTtftMs(),
                total.errors, strategy, priority, moveCount,
                moves == null ? List.of() : List.copyOf(moves), List.copyOf(agentList));
    }

    static double rate(long part, long whole) { return whole <= 0 ? 0.0 : (double) part / whole; }

    /** Counters of one workflow or agent; guarded by the owning state's monitor. */
    static final class Counts {
        long requests;
        long cacheHits;
        long promptTokens;
        long cachedTokens;
        long completionTokens;
        long errors;
        long ttftCount;
        long ttftSumNanos;
        long lastTtftNanos = -1;
        long lastActiveMillis;
        String lastEngine;

        void add(long prompt, long cached, long completion, long ttft, boolean error) {
            requests++;
            if (prompt > 0) promptTokens += prompt;
            if (cached > 0) {
                cachedTokens += cached;
                cacheHits++;
            }
            if (completion > 0) completionTokens += completion;
            if (ttft >= 0) {
                ttftCount++;
                ttftSumNanos += ttft;
                lastTtftNanos = ttft;
            }
            if (error) errors++;
        }

        Double meanTtftMs() { return ttftCount == 0 ? null : ttftSumNanos / 1e6 / ttftCount; }
        Double lastTtftMs() { return lastTtftNanos < 0 ? null : lastTtftNanos / 1e6; }
    }
}
