package dev.caravan.bench;

import dev.caravan.placement.kvevents.KvEventDecoder;
import dev.caravan.placement.kvevents.KvEventFold;
import dev.caravan.placement.prefix.KvBlockIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * How many vLLM block events one thread (one core) decodes and folds into the {@link KvBlockIndex}
 * per second, and what the index costs per million blocks. Not a unit test: a runnable main.
 *
 * <p>The stream is what an engine under load publishes (vLLM's current encoding, tagged maps, with
 * 32-byte sha256 block hashes): requests of 4-64 new 16-token blocks chained onto a shared prefix,
 * batched 16 events to a batch, and once the engine's cache (400,000 blocks) is full one block evicted
 * per block stored. Block events = blocks stored + blocks removed. Each run folds the whole stream
 * into a fresh index; the median of the runs is reported.
 *
 * <pre>
 * mvn -o -q -B test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java \
 *   -Dexec.classpathScope=test "-Dexec.args=-Xmx2g -cp %classpath dev.caravan.bench.KvEventIndexBenchmark"
 * </pre>
 */
public final class KvEventIndexBenchmark {

    private static final int BLOCK = 16;
    private static final int CACHE_BLOCKS = 400_000;
    private static final int EVENTS_PER_BATCH = 16;

    public static void main(String[] args) throws IOException {
        int blocks = Integer.getInteger("bench.blocks", 2_000_000);
        int runs = Integer.getInteger("bench.runs", 5);
        Stream stream = stream(blocks, new SplittableRandom(7));
        System.out.printf("stream: %,d batches, %,d block events (%,d stored, %,d removed), %,d MB of msgpack%n",
                stream.payloads.size(), stream.blockEvents(), stream.stored, stream.removed, stream.bytes >> 20);
        double[] rates = new double[runs + 2];
        for (int r = 0; r < rates.length; r++) {
            KvBlockIndex index = new KvBlockIndex(1 << 20);
            KvEventDecoder decoder = new KvEventDecoder();
            KvEventFold fold = foldInto(index, "engine-0");
            long t0 = System.nanoTime();
            for (byte[] p : stream.payloads) decoder.decode(p, fold);
            double seconds = (System.nanoTime() - t0) / 1e9;
            rates[r] = stream.blockEvents() / seconds;
            System.out.printf("run %d%s: %,.0f block events/s (index %,d blocks, %,d orphans)%n", r,
                    r < 2 ? " (warm-up)" : "", rates[r], index.size(), index.orphanBlocks());
        }
        double[] measured = Arrays.copyOfRange(rates, 2, rates.length);
        Arrays.sort(measured);
        System.out.printf("median of %d runs: %,.0f block events/s on one thread (target >= 100,000)%n",
                runs, measured[runs / 2]);
        memory();
    }

    /** Bytes of the index's arrays with one million blocks, held by one engine and by two each. */
    private static void memory() {
        int million = 1_000_000;
        for (int engines : new int[] {1, 2}) {
            KvBlockIndex index = new KvBlockIndex(million);
            long[] hash = new long[1];
            int[] tokens = new int[BLOCK];
            for (int e = 0; e < engines; e++) {
                for (int b = 0; b < million; b++) {
                    hash[0] = b * 31L + 1;
                    tokens[0] = b; // one chain per block: distinct keys
                    index.stored("engine-" + e, hash, 1, false, 0, tokens, BLOCK, BLOCK, null);
                }
            }
            System.out.printf("memory: %,d blocks held by %d engine(s): %,.1f MB (%,.0f bytes per block)%n",
                    index.size(), engines, index.footprintBytes() / 1e6, (double) index.footprintBytes() / index.size());
        }
    }

    private static KvEventFold foldInto(KvBlockIndex index, String engine) {
        return new KvEventFold() {
            @Override
            public void stored(long[] hashes, int n, boolean hasParent, long parentHash, int[] tokens, int tokenCount,
                               int blockSize, long[] extra) {
                index.stored(engine, hashes, n, hasParent, parentHash, tokens, tokenCount, blockSize, extra);
            }

            @Override
            public void removed(long[] hashes, int n) { index.removed(engine, hashes, n); }

            @Override
            public void cleared() { index.cleared(engine); }
        };
    }

    private record Stream(List<byte[]> payloads, long stored, long removed, long bytes) {
        long blockEvents() { return stored + removed; }
    }

    private static Stream stream(int totalBlocks, SplittableRandom rnd) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        java.util.ArrayDeque<Long> cached = new java.util.ArrayDeque<>(); // oldest first: eviction order
        long nextHash = 1;
        long stored = 0, removed = 0, bytes = 0;
        long sharedPrefix = 0; // the hash of the shared system-prompt block, once stored
        List<Object[]> events = new ArrayList<>();
        while (stored < totalBlocks) {
            int n = 4 + rnd.nextInt(61);
            long[] hashes = new long[n];
            for (int i = 0; i < n; i++) hashes[i] = nextHash++;
            int[] tokens = new int[n * BLOCK];
            for (int i = 0; i < tokens.length; i++) tokens[i] = rnd.nextInt(128_000);
            Long parent = sharedPrefix == 0 ? null : sharedPrefix;
            if (sharedPrefix == 0) sharedPrefix = hashes[0];
            events.add(new Object[] {"stored", hashes, parent, tokens});
            for (long h : hashes) cached.addLast(h);
            stored += n;
            int over = cached.size() - CACHE_BLOCKS;
            if (over > 0) {
                long[] gone = new long[over];
                for (int i = 0; i < over; i++) {
                    long h = cached.pollFirst();
                    if (h == sharedPrefix) { cached.addLast(h); h = cached.pollFirst(); } // the shared block stays hot
                    gone[i] = h;
                }
                events.add(new Object[] {"removed", gone});
                removed += over;
            }
            if (events.size() >= EVENTS_PER_BATCH) {
                byte[] b = batch(events);
                payloads.add(b);
                bytes += b.length;
                events.clear();
            }
        }
        if (!events.isEmpty()) payloads.add(batch(events));
        return new Stream(payloads, stored, removed, bytes);
    }

    /** vLLM's current encoding: {@code {ts, events: [{type, block_hashes, ...}], data_parallel_rank}}. */
    private static byte[] batch(List<Object[]> events) throws IOException {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(3).packString("ts").packDouble(System.currentTimeMillis() / 1e3);
            p.packString("events").packArrayHeader(events.size());
            for (Object[] e : events) {
                long[] hashes = (long[]) e[1];
                if (e[0].equals("stored")) {
                    Long parent = (Long) e[2];
                    int[] tokens = (int[]) e[3];
                    p.packMapHeader(8).packString("type").packString("BlockStored");
                    p.packString("block_hashes").packArrayHeader(hashes.length);
                    for (long h : hashes) sha(p, h);
                    p.packString("parent_block_hash");
                    if (parent == null) p.packNil(); else sha(p, parent);
                    p.packString("token_ids").packArrayHeader(tokens.length);
                    for (int t : tokens) p.packInt(t);
                    p.packString("block_size").packInt(BLOCK).packString("lora_id").packNil()
                            .packString("medium").packString("GPU").packString("lora_name").packNil();
                } else {
                    p.packMapHeader(3).packString("type").packString("BlockRemoved");
                    p.packString("block_hashes").packArrayHeader(hashes.length);
                    for (long h : hashes) sha(p, h);
                    p.packString("medium").packString("GPU");
                }
            }
            p.packString("data_parallel_rank").packInt(0);
            return p.toByteArray();
        }
    }

    /** A 32-byte stand-in for a sha256 block hash. */
    private static void sha(MessageBufferPacker p, long h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(h).putLong(h * 0x9E3779B97F4A7C15L).putLong(~h).putLong(h ^ 0x5555555555555555L);
        p.packBinaryHeader(32);
        p.writePayload(b.array());
    }
}
