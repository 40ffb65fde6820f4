package dev.caravan.placement.kvevents;

import dev.caravan.placement.prefix.KvBlockIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One engine's KV event stream, followed on its own thread (never on a request's): subscribes to the
 * engine's PUB socket, folds each batch into the {@link KvBlockIndex} in sequence order, and decides
 * whether the index is to be trusted for this engine now ({@link #healthy()}).
 *
 * <p>Protocol, as vLLM's {@code ZmqEventPublisher} ({@code vllm/distributed/kv_events.py}): frames
 * topic, 8-byte big-endian sequence number, msgpack batch; the replay ROUTER takes
 * {@code ["", start_seq]} from a DEALER and answers {@code ["", seq, payload]} per kept batch from
 * {@code start_seq}, then {@code ["", -1, ""]}.
 *
 * <ul>
 *   <li>A sequence number above the next expected one is a gap: live batches are held back, the
 *       missing ones are asked of the replay endpoint, and the stream is unhealthy until replay has
 *       filled the gap. Joining late is a gap from 0. When the engine no longer keeps the missing
 *       batches, what it holds is unknown: its blocks are dropped from the index and folding starts
 *       again from the oldest batch it kept.</li>
 *   <li>A sequence number below the expected one on the live socket is a restarted engine (vLLM
 *       numbers from 0 per process): its blocks are dropped and the stream starts over.</li>
 *   <li>Liveness: an idle vLLM publishes nothing, so every {@code probeInterval} the stream asks the
 *       replay endpoint for the last batch it folded; an answer within {@code timeout} keeps it healthy
 *       (and an answer without that batch is a restart). Without a replay endpoint the stream is
 *       healthy from its first batch and gaps cannot be repaired (they are counted).</li>
 * </ul>
 */
public final class KvEventStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventStream.class);
    private static final int MAX_HELD = 10_000;

    private final String engineId;
    private final String endpoint;
    private final String replayEndpoint;
    private final KvBlockIndex index;
    private final long timeoutNanos;
    private final long probeNanos;
    private final LongSupplier clock;
    private final KvEventDecoder decoder = new KvEventDecoder();
    private final KvEventFold fold;
    private final Thread thread;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong badPayloads = new AtomicLong();
    private volatile boolean healthy;
    private volatile boolean running = true;

    // thread-confined state
    private long expected;
    private boolean gapPending;
    private boolean anyBatch;
    private final TreeMap<Long, byte[]> held = new TreeMap<>();
    private boolean requestOutstanding;
    private boolean probing;
    private boolean probeSawLast;
    private long requestSentAt;
    private long lastHeard;
    private long lastProbe;
    private ZMQ.Socket dealer;

    /**
     * @param replayEndpoint the replay ROUTER, or null when the engine has none
     * @param timeoutMillis  no answer from the engine for this long: unhealthy
     */
    public KvEventStream(String engineId, String endpoint, String replayEndpoint, KvBlockIndex index,
                         long timeoutMillis, long probeIntervalMillis) {
        this(engineId, endpoint, replayEndpoint, index, timeoutMillis, probeIntervalMillis, System::nanoTime);
    }

    KvEventStream(String engineId, String endpoint, String replayEndpoint, KvBlockIndex index,
                  long timeoutMillis, long probeIntervalMillis, LongSupplier clock) {
        this.engineId = engineId;
        this.endpoint = endpoint;
        this.replayEndpoint = replayEndpoint;
        this.index = index;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.probeNanos = probeIntervalMillis * 1_000_000L;
        this.clock = clock;
        this.fold = new KvEventFold() {
            @Override
            public void stored(long[] hashes, int n, boolean hasParent, long parentHash, int[] tokens, int tokenCount,
                               int blockSize, long[] extra) {
                index.stored(engineId, hashes, n, hasParent, parentHash, tokens, tokenCount, blockSize, extra);
            }

            @Override
            public void removed(long[] hashes, int n) { index.removed(engineId, hashes, n); }

            @Override
            public void cleared() { index.cleared(engineId); }
        };
        this.thread = new Thread(this::run, "kv-events-" + engineId);
        thread.setDaemon(true);
    }

    public KvEventStream start() {
        thread.start();
        return this;
    }

    public String engineId() { return engineId; }
    public String endpoint() { return endpoint; }
    public String replayEndpoint() { return replayEndpoint; }

    /** Whether the index holds what this engine reported, complete and recent: precise placement may use it. */
    public boolean healthy() { return healthy; }

    public long batches() { return batches.get(); }
    public long events() { return events.get(); }
    /** Sequence gaps seen on the live socket. */
    public long gaps() { return gaps.get(); }
    /** Batches folded from the replay endpoint. */
    public long replayedBatches() { return replays.get(); }
    /** Batches missed for good (no replay endpoint, or the engine no longer kept them). */
    public long lostBatches() { return lost.get(); }
    public long restarts() { return restarts.get(); }
    public long badPayloads() { return badPayloads.get(); }

    private void run() {
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
            sub.setReconnectIVL(100);
            sub.setReconnectIVLMax(2_000);
            sub.setRcvHWM(100_000);
            sub.subscribe(new byte[0]);
            sub.connect(endpoint);
            ZMQ.Poller poller = ctx.createPoller(2);
            poller.register(sub, ZMQ.Poller.POLLIN);
            int dealerIndex = -1;
            if (replayEndpoint != null) {
                dealer = newDealer(ctx);
                dealerIndex = poller.register(dealer, ZMQ.Poller.POLLIN);
            }
            lastHeard = clock.getAsLong() - timeoutNanos; // unhealthy until the engine is heard
            while (running && !Thread.currentThread().isInterrupted()) {
                poller.poll(50);
                if (poller.pollin(0)) {
                    while (running) {
                        byte[] topic = sub.recv(ZMQ.DONTWAIT);
                        if (topic == null) break;
                        byte[] seq = sub.hasReceiveMore() ? sub.recv() : null;
                        byte[] payload = sub.hasReceiveMore() ? sub.recv() : null;
                        while (sub.hasReceiveMore()) sub.recv();
                        if (seq == null || seq.length != 8 || payload == null) { badPayloads.incrementAndGet(); continue; }
                        live(ByteBuffer.wrap(seq).getLong(), payload);
                    }
                }
                if (dealer != null) {
                    if (poller.pollin(dealerIndex)) {
                        while (running) {
                            byte[] empty = dealer.recv(ZMQ.DONTWAIT);
                            if (empty == null) break;
                            byte[] seq = dealer.hasReceiveMore() ? dealer.recv() : null;
                            byte[] payload = dealer.hasReceiveMore() ? dealer.recv() : new byte[0];
                            while (dealer.hasReceiveMore()) dealer.recv();
                            if (seq == null || seq.length != 8) { badPayloads.incrementAndGet(); continue; }
                            replayed(ByteBuffer.wrap(seq).getLong(), payload);
                        }
                    }
                    long now = clock.getAsLong();
                    if (requestOutstanding && now - requestSentAt > timeoutNanos) {
                        // The engine did not answer: drop what the old socket queued and ask again later.
                        poller.unregister(dealer);
                        dealer.close();
                        dealer = newDealer(ctx);
                        dealerIndex = poller.register(dealer, ZMQ.Poller.POLLIN);
                        requestOutstanding = false;
                        lastProbe = now;
                    }
                    if (!requestOutstanding && (gapPending || now - lastProbe >= probeNanos)) {
                        if (gapPending) request(expected, false); else request(Math.max(0, expected - 1), expected > 0);
                    }
                }
                updateHealth();
            }
        } catch (RuntimeException e) {
            if (running) log.warn("KV event stream of engine {} stopped: {}", engineId, e.toString());
        } finally {
            healthy = false;
        }
    }

    private ZMQ.Socket newDealer(ZContext ctx) {
        ZMQ.Socket d = ctx.createSocket(SocketType.DEALER);
        d.setImmediate(true); // a request goes only to a live connection, never queued for a dead one
        d.setLinger(0);
        d.setReconnectIVL(100);
        d.setReconnectIVLMax(2_000);
        d.connect(replayEndpoint);
        return d;
    }

    private void request(long from, boolean probe) {
        // Never blocking: with no live connection (engine down) the request is simply not sent.
        boolean sent = dealer.send(new byte[0], ZMQ.SNDMORE | ZMQ.DONTWAIT)
                && dealer.send(ByteBuffer.allocate(8).putLong(from).array(), ZMQ.DONTWAIT);
        long now = clock.getAsLong();
        lastProbe = now;
        if (sent) {
            requestOutstanding = true;
            probing = probe;
            probeSawLast = false;
            requestSentAt = now;
        }
    }

    private void live(long seq, byte[] payload) {
        if (anyBatch && seq < expected) {
            // vLLM numbers batches from 0 per process: the engine restarted with an empty cache.
            restarted();
        }
        anyBatch = true;
        lastHeard = clock.getAsLong();
        if (seq == expected && !gapPending) {
            apply(seq, payload);
            return;
        }
        if (replayEndpoint == null) {
            lost.addAndGet(seq - expected);
            gaps.incrementAndGet();
            apply(seq, payload);
            return;
        }
        if (!gapPending) {
            gapPending = true;
            gaps.incrementAndGet();
            healthy = false;
        }
        if (held.size() < MAX_HELD) held.put(seq, payload);
    }

    private void replayed(long seq, byte[] payload) {
        lastHeard = clock.getAsLong();
        if (seq < 0) { // the end marker
            requestOutstanding = false;
            if (probing && expected > 0 && !probeSawLast) {
                // Asked for the last batch folded and the engine does not have it: a new process.
                restarted();
                gapPending = true;
            }
            boolean answeredGap = !probing;
            probing = false;
            drainHeld(answeredGap);
            return;
        }
        if (probing && seq == expected - 1) probeSawLast = true;
        if (seq < expected) return; // already folded
        if (seq > expected) {
            // The engine no longer keeps what we missed: start over from what it has.
            lost.addAndGet(seq - expected);
            index.cleared(engineId);
            expected = seq;
        }
        replays.incrementAndGet();
        apply(seq, payload);
    }

    /**
     * Folds the held live batches that now follow in order. After the answer to a gap request, a gap
     * still open means the engine no longer keeps those batches: what it holds is unknown, so its
     * blocks are dropped and folding resumes at the oldest held batch. (After a probe's answer the gap
     * may have opened meanwhile: the loop asks for it next.)
     */
    private void drainHeld(boolean answeredGap) {
        if (answeredGap && !held.isEmpty() && held.firstKey() > expected) {
            lost.addAndGet(held.firstKey() - expected);
            index.cleared(engineId);
            expected = held.firstKey();
        }
        while (!held.isEmpty()) {
            var first = held.firstEntry();
            if (first.getKey() < expected) { held.pollFirstEntry(); continue; }
            if (first.getKey() > expected) break;
            held.pollFirstEntry();
            apply(first.getKey(), first.getValue());
        }
        if (held.isEmpty() && answeredGap) gapPending = false;
        if (held.isEmpty() && !answeredGap && gapPending) {
            // a probe's answer filled the whole gap
            gapPending = false;
        }
    }

    private void restarted() {
        restarts.incrementAndGet();
        index.cleared(engineId);
        expected = 0;
        held.clear();
    }

    private void apply(long seq, byte[] payload) {
        try {
            events.addAndGet(decoder.decode(payload, fold));
        } catch (IOException | RuntimeException e) {
            badPayloads.incrementAndGet();
            log.debug("engine {}: undecodable KV event batch {}: {}", engineId, seq, e.toString());
        }
        batches.incrementAndGet();
        expected = seq + 1;
    }

    private void updateHealth() {
        boolean h;
        if (replayEndpoint == null) {
            h = anyBatch;
        } else {
            h = !gapPending && clock.getAsLong() - lastHeard < timeoutNanos;
        }
        if (h != healthy) {
            healthy = h;
            log.info("KV event stream of engine {} is {}", engineId, h ? "healthy: precise placement" : "unhealthy: approximate placement");
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
