package dev.caravan.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Publishes the prefix cache's block events as vLLM's {@code ZmqEventPublisher} does
 * ({@code vllm/distributed/kv_events.py}): a PUB socket sends each batch as three frames, the topic,
 * the batch's sequence number (8 bytes, big-endian, from 0) and the msgpack {@code KVEventBatch};
 * the last {@value #BUFFER_STEPS} batches are kept, and a ROUTER socket answers a replay request (an
 * 8-byte start sequence) with one {@code (seq, payload)} reply per kept batch from there and an end
 * marker {@code (-1, "")}.
 *
 * <p>The engine's lock is held while events are handed over, so they are only queued; one thread
 * batches what has queued (as vLLM batches per scheduler step), encodes, sends and serves replays.
 * Test faults: {@link #dropNextBatches} loses batches on the PUB socket only (a subscriber sees a
 * gap, replay still has them), {@link #silence} stops both sockets (a dead stream).
 */
public final class KvEventPublisher implements KvCacheEventSink, AutoCloseable {

    static final int BUFFER_STEPS = 10_000;
    private static final byte[] END_SEQ = ByteBuffer.allocate(8).putLong(-1).array();
    private static final byte[] TOPIC = new byte[0];

    private final KvEventWireFormat format;
    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket pub;
    private final ZMQ.Socket replay;
    private final int port;
    private final int replayPort;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ArrayDeque<Batch> buffer = new ArrayDeque<>();
    private final AtomicInteger dropNext = new AtomicInteger();
    private final AtomicBoolean silent = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean running = true;
    private long seq;

    KvEventPublisher(String host, int port, int replayPort, KvEventWireFormat format) {
        this.format = format;
        this.pub = context.createSocket(SocketType.PUB);
        pub.setSndHWM(100_000);
        this.port = bind(pub, host, port);
        if (replayPort >= 0) {
            this.replay = context.createSocket(SocketType.ROUTER);
            this.replayPort = bind(replay, host, replayPort);
        } else {
            this.replay = null;
            this.replayPort = -1;
        }
        this.thread = new Thread(this::run, "sim-" + this.port + "-kv-events");
        thread.setDaemon(true);
        thread.start();
    }

    private static int bind(ZMQ.Socket socket, String host, int port) {
        if (port == 0) {
            return socket.bindToRandomPort("tcp://" + host);
        }
        socket.bind("tcp://" + host + ":" + port);
        return port;
    }

    public int port() { return port; }
    /** The replay ROUTER's port, or -1 when there is none. */
    public int replayPort() { return replayPort; }
    /** Sequence number the next batch will get. */
    public synchronized long nextSeq() { return seq; }

    /** The next {@code n} batches get their sequence numbers and are kept for replay but never sent. */
    public void dropNextBatches(int n) { dropNext.addAndGet(n); }

    /** While silent, batches are numbered and kept but not sent, and replay requests are not answered. */
    public void silence(boolean on) { silent.set(on); }

    @Override
    public void stored(long[] hashes, int from, int to, int[] prompt, int[] output, String cacheSalt, int blockSize) {
        long[] blockHashes = Arrays.copyOfRange(hashes, from, to);
        int[] tokens = new int[(to - from) * blockSize];
        for (int k = from * blockSize, i = 0; i < tokens.length; k++, i++) {
            tokens[i] = k < prompt.length ? prompt[k] : output[k - prompt.length];
        }
        queue.add(new Stored(blockHashes, from > 0 ? hashes[from - 1] : null, tokens, blockSize,
                from == 0 ? cacheSalt : null));
    }

    @Override
    public void removed(long hash) { queue.add(new Removed(hash)); }

    @Override
    public void cleared() { queue.add(Cleared.INSTANCE); }

    private void run() {
        List<Object> pending = new ArrayList<>();
        try {
            while (running) {
                if (replay != null && !silent.get()) {
                    while ((replay.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                        serveReplay();
                    }
                }
                Object first = queue.poll(10, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                pending.add(first);
                queue.drainTo(pending);
                publish(encode(pending));
                pending.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (org.zeromq.ZMQException e) {
            if (running) throw e; // closed under the thread otherwise
        }
    }

    private void publish(byte[] payload) {
        long s;
        synchronized (this) {
            s = seq++;
            buffer.addLast(new Batch(s, payload));
            if (buffer.size() > BUFFER_STEPS) buffer.removeFirst();
        }
        if (silent.get()) return;
        if (dropNext.get() > 0 && dropNext.getAndDecrement() > 0) return;
        pub.sendMore(TOPIC);
        pub.sendMore(ByteBuffer.allocate(8).putLong(s).array());
        pub.send(payload);
    }

    private void serveReplay() {
        byte[] identity = replay.recv();
        List<byte[]> rest = new ArrayList<>();
        while (replay.hasReceiveMore()) rest.add(replay.recv());
        if (rest.size() != 2 || rest.get(1).length != 8) return; // vLLM ignores malformed requests too
        long start = ByteBuffer.wrap(rest.get(1)).getLong();
        List<Batch> kept;
        synchronized (this) {
            kept = new ArrayList<>(buffer);
        }
        for (Batch b : kept) {
            if (b.seq >= start) {
                replay.sendMore(identity);
                replay.sendMore(new byte[0]);
                replay.sendMore(ByteBuffer.allocate(8).putLong(b.seq).array());
                replay.send(b.payload);
            }
        }
        replay.sendMore(identity);
        replay.sendMore(new byte[0]);
        replay.sendMore(END_SEQ);
        replay.send(new byte[0]);
    }

    /** {@code KVEventBatch(ts, events, data_parallel_rank)}; consecutive removals share one {@code BlockRemoved}. */
    private byte[] encode(List<Object> events) {
        List<Object> merged = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); ) {
            if (events.get(i) instanceof Removed) {
                int j = i;
                while (j < events.size() && events.get(j) instanceof Removed) j++;
                long[] hashes = new long[j - i];
                for (int k = i; k < j; k++) hashes[k - i] = ((Removed) events.get(k)).hash;
                merged.add(hashes);
                i = j;
            } else {
                merged.add(events.get(i++));
            }
        }
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            double ts = System.currentTimeMillis() / 1000.0;
            if (format == KvEventWireFormat.MAP) {
                p.packMapHeader(3);
                p.packString("ts").packDouble(ts);
                p.packString("events").packArrayHeader(merged.size());
                for (Object e : merged) packMap(p, e);
                p.packString("data_parallel_rank").packInt(0);
            } else {
                p.packArrayHeader(3);
                p.packDouble(ts);
                p.packArrayHeader(merged.size());
                for (Object e : merged) packArray(p, e);
                p.packInt(0);
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Current vLLM: {@code tag=True} without {@code array_like}, omit_defaults; block hashes as bytes (its default). */
    private void packMap(MessageBufferPacker p, Object e) throws IOException {
        if (e instanceof Stored s) {
            p.packMapHeader(s.cacheSalt == null ? 8 : 9);
            p.packString("type").packString("BlockStored");
            p.packString("block_hashes").packArrayHeader(s.hashes.length);
            for (long h : s.hashes) packHashBytes(p, h);
            p.packString("parent_block_hash");
            if (s.parent == null) p.packNil(); else packHashBytes(p, s.parent);
            p.packString("token_ids");
            packTokens(p, s.tokens);
            p.packString("block_size").packInt(s.blockSize);
            p.packString("lora_id").packNil();
            p.packString("medium").packString("GPU");
            p.packString("lora_name").packNil();
            if (s.cacheSalt != null) {
                // one entry per block: the salt is an extra key of the first block only
                p.packString("extra_keys").packArrayHeader(s.hashes.length);
                p.packArrayHeader(1).packString(s.cacheSalt);
                for (int i = 1; i < s.hashes.length; i++) p.packNil();
            }
        } else if (e instanceof long[] removed) {
            p.packMapHeader(3);
            p.packString("type").packString("BlockRemoved");
            p.packString("block_hashes").packArrayHeader(removed.length);
            for (long h : removed) packHashBytes(p, h);
            p.packString("medium").packString("GPU");
        } else {
            p.packMapHeader(1);
            p.packString("type").packString("AllBlocksCleared");
        }
    }

    /** vLLM's array_like structs: the tag first, then the fields in order; block hashes as ints. */
    private void packArray(MessageBufferPacker p, Object e) throws IOException {
        if (e instanceof Stored s) {
            p.packArrayHeader(7);
            p.packString("BlockStored");
            p.packArrayHeader(s.hashes.length);
            for (long h : s.hashes) p.packLong(h);
            if (s.parent == null) p.packNil(); else p.packLong(s.parent);
            packTokens(p, s.tokens);
            p.packInt(s.blockSize);
            p.packNil();
            p.packString("GPU");
        } else if (e instanceof long[] removed) {
            p.packArrayHeader(3);
            p.packString("BlockRemoved");
            p.packArrayHeader(removed.length);
            for (long h : removed) p.packLong(h);
            p.packString("GPU");
        } else {
            p.packArrayHeader(1);
            p.packString("AllBlocksCleared");
        }
    }

    private static void packTokens(MessageBufferPacker p, int[] tokens) throws IOException {
        p.packArrayHeader(tokens.length);
        for (int t : tokens) p.packInt(t);
    }

    private static void packHashBytes(MessageBufferPacker p, long h) throws IOException {
        p.packBinaryHeader(8);
        p.writePayload(ByteBuffer.allocate(8).putLong(h).array());
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
    }

    private record Batch(long seq, byte[] payload) { }
    private record Stored(long[] hashes, Long parent, int[] tokens, int blockSize, String cacheSalt) { }
    private record Removed(long hash) { }
    private enum Cleared { INSTANCE }
}
