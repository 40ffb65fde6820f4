package dev.caravan.placement.kvevents;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads one msgpack {@code KVEventBatch} payload of vLLM's KV event stream and tells its events to a
 * {@link KvEventFold}, without building objects per event (the arrays are reused).
 *
 * <p>The structs are msgspec's, from {@code vllm/distributed/kv_events.py}: {@code KVEventBatch(ts,
 * events, data_parallel_rank)} and the tagged union {@code BlockStored(block_hashes,
 * parent_block_hash, token_ids, block_size, lora_id, medium, lora_name, extra_keys, group_idx, ...)},
 * {@code BlockRemoved(block_hashes, medium, group_idx)}, {@code AllBlocksCleared}. vLLM has shipped
 * two encodings and both are read: {@code array_like=True} structs (a batch {@code [ts, events,
 * rank]}, an event {@code ["BlockStored", block_hashes, ...]}, tag first, fields in declaration
 * order) and, in current vLLM (commit 0181ea3 of that file), plain tagged structs (a batch map, an
 * event map with its tag under {@code "type"}). Block hashes are ints (with
 * {@code VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES}, up to uint64) or bytes (the sha256 digests vLLM sends by
 * default); either becomes a 64-bit value here. Blocks on another medium than the GPU (CPU offload
 * tiers) and of another KV cache group than the first are skipped: placement asks what the engine can
 * reuse without loading it.
 */
public final class KvEventDecoder {

    private long[] hashes = new long[64];
    private int[] tokens = new int[1024];
    private long[] extra = new long[64];

    /**
     * @return the number of events in the batch
     * @throws IOException when the payload is not a KV event batch (the stream then counts it as bad)
     */
    public int decode(byte[] payload, KvEventFold fold) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            MessageFormat f = u.getNextFormat();
            if (f.getValueType() == ValueType.ARRAY) {
                int n = u.unpackArrayHeader();
                if (n < 2) throw new IOException("a KV event batch array needs ts and events, got " + n + " elements");
                u.skipValue(); // ts
                int events = events(u, fold);
                for (int i = 2; i < n; i++) u.skipValue(); // data_parallel_rank
                return events;
            }
            if (f.getValueType() != ValueType.MAP) throw new IOException("a KV event batch is an array or a map, got " + f);
            int n = u.unpackMapHeader();
            int events = -1;
            for (int i = 0; i < n; i++) {
                if ("events".equals(u.unpackString())) events = events(u, fold);
                else u.skipValue();
            }
            if (events < 0) throw new IOException("a KV event batch map without events");
            return events;
        }
    }

    private int events(MessageUnpacker u, KvEventFold fold) throws IOException {
        int n = u.unpackArrayHeader();
        for (int i = 0; i < n; i++) {
            if (u.getNextFormat().getValueType() == ValueType.ARRAY) arrayEvent(u, fold);
            else mapEvent(u, fold);
        }
        return n;
    }

    private void arrayEvent(MessageUnpacker u, KvEventFold fold) throws IOException {
        int fields = u.unpackArrayHeader();
        if (fields == 0) return;
        String tag = u.unpackString();
        int read = 1;
        switch (tag) {
            case "BlockStored" -> {
                int n = hashList(u);
                boolean hasParent = !u.tryUnpackNil();
                long parent = hasParent ? hash(u) : 0;
                int t = tokenList(u);
                int blockSize = blockSize(u, n, t);
                read = 5;
                long taint = 0;
                boolean gpu = true;
                if (fields > 5) { taint ^= loraKey(u); read++; }
                if (fields > 6) { gpu = gpu(u); read++; }
                if (fields > 7) { taint ^= loraKey(u); read++; }
                boolean withExtra = false;
                if (fields > 8) { withExtra = extraKeys(u, n); read++; }
                boolean firstGroup = true;
                if (fields > 9) { firstGroup = firstGroup(u); read++; }
                for (; read < fields; read++) u.skipValue();
                if (gpu && firstGroup) fold.stored(hashes, n, hasParent, parent, tokens, t, blockSize, taint(n, taint, withExtra));
                return;
            }
            case "BlockRemoved" -> {
                int n = hashList(u);
                read = 2;
                boolean gpu = true;
                if (fields > 2) { gpu = gpu(u); read++; }
                boolean firstGroup = true;
                if (fields > 3) { firstGroup = firstGroup(u); read++; }
                for (; read < fields; read++) u.skipValue();
                if (gpu && firstGroup) fold.removed(hashes, n);
                return;
            }
            case "AllBlocksCleared" -> fold.cleared();
            default -> { } // an event type this gateway does not know: skipped, the stream goes on
        }
        for (; read < fields; read++) u.skipValue();
    }

    private void mapEvent(MessageUnpacker u, KvEventFold fold) throws IOException {
        int fields = u.unpackMapHeader();
        String tag = null;
        int n = 0, t = 0, blockSize = 0;
        boolean hasParent = false, gpu = true, firstGroup = true, withExtra = false;
        long parent = 0, taint = 0;
        for (int i = 0; i < fields; i++) {
            switch (u.unpackString()) {
                case "type" -> tag = u.unpackString();
                case "block_hashes" -> n = hashList(u);
                case "parent_block_hash" -> {
                    hasParent = !u.tryUnpackNil();
                    if (hasParent) parent = hash(u);
                }
                case "token_ids" -> t = tokenList(u);
                case "block_size" -> blockSize = u.unpackInt();
                case "lora_id", "lora_name" -> taint ^= loraKey(u);
                case "medium" -> gpu = gpu(u);
                case "extra_keys" -> withExtra = extraKeys(u, n);
                case "group_idx" -> firstGroup = firstGroup(u);
                default -> u.skipValue();
            }
        }
        if (tag == null || !gpu || !firstGroup) return;
        switch (tag) {
            case "BlockStored" -> {
                if (blockSize <= 0 && n > 0) blockSize = t / n;
                if (blockSize > 0) fold.stored(hashes, n, hasParent, parent, tokens, t, blockSize, taint(n, taint, withExtra));
            }
            case "BlockRemoved" -> fold.removed(hashes, n);
            case "AllBlocksCleared" -> fold.cleared();
            default -> { }
        }
    }

    /** {@code block_size} an int; an older vLLM sent {@code num_toks_per_block}, a list, in its place. */
    private static int blockSize(MessageUnpacker u, int blocks, int tokenCount) throws IOException {
        if (u.getNextFormat().getValueType() == ValueType.ARRAY) {
            int k = u.unpackArrayHeader();
            int first = 0;
            for (int i = 0; i < k; i++) {
                int v = u.unpackInt();
                if (i == 0) first = v;
            }
            return first > 0 ? first : blocks == 0 ? 0 : tokenCount / blocks;
        }
        return u.unpackInt();
    }

    private int hashList(MessageUnpacker u) throws IOException {
        int n = u.unpackArrayHeader();
        if (hashes.length < n) hashes = new long[Math.max(n, 2 * hashes.length)];
        for (int i = 0; i < n; i++) hashes[i] = hash(u);
        return n;
    }

    private int tokenList(MessageUnpacker u) throws IOException {
        int n = u.unpackArrayHeader();
        if (tokens.length < n) tokens = new int[Math.max(n, 2 * tokens.length)];
        for (int i = 0; i < n; i++) tokens[i] = u.unpackInt();
        return n;
    }

    /** An int hash as its 64 bits (uint64 included); a bytes hash folded to 64 bits. */
    private static long hash(MessageUnpacker u) throws IOException {
        MessageFormat f = u.getNextFormat();
        switch (f.getValueType()) {
            case INTEGER -> {
                return f == MessageFormat.UINT64 ? u.unpackBigInteger().longValue() : u.unpackLong();
            }
            case BINARY -> {
                byte[] b = u.readPayload(u.unpackBinaryHeader());
                return bytesHash(b);
            }
            case STRING -> {
                return bytesHash(u.unpackString().getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new IOException("a block hash is an int or bytes, got " + f);
        }
    }

    /** 64 bits of a byte hash: its first 8 bytes when it has them (a digest is uniform), else a mix. */
    static long bytesHash(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) h = (h ^ (x & 0xff)) * 0x100000001b3L;
        return h;
    }

    private static long loraKey(MessageUnpacker u) throws IOException {
        if (u.tryUnpackNil()) return 0;
        return 0x4c6f5261L * (u.unpackValue().toJson().hashCode() | 1L);
    }

    private static boolean gpu(MessageUnpacker u) throws IOException {
        if (u.tryUnpackNil()) return true;
        return "GPU".equalsIgnoreCase(u.unpackString());
    }

    private static boolean firstGroup(MessageUnpacker u) throws IOException {
        if (u.tryUnpackNil()) return true;
        return u.unpackInt() == 0;
    }

    /** Reads {@code extra_keys} (one entry per block, nil or the keys); true when any block had some. */
    private boolean extraKeys(MessageUnpacker u, int blocks) throws IOException {
        if (u.tryUnpackNil()) return false;
        int k = u.unpackArrayHeader();
        if (extra.length < k) extra = new long[Math.max(k, 2 * extra.length)];
        boolean any = false;
        for (int i = 0; i < k; i++) {
            if (u.tryUnpackNil()) {
                extra[i] = 0;
            } else {
                extra[i] = 0x45787472L * (u.unpackValue().toJson().hashCode() | 1L);
                any = true;
            }
        }
        for (int i = k; i < blocks && i < extra.length; i++) extra[i] = 0;
        return any;
    }

    /** Per-block extra keys, with a LoRA's key mixed into every block; null when none has any. */
    private long[] taint(int n, long lora, boolean withExtra) {
        if (lora == 0 && !withExtra) return null;
        if (extra.length < n) extra = java.util.Arrays.copyOf(extra, Math.max(n, 2 * extra.length));
        for (int i = 0; i < n; i++) extra[i] = (withExtra ? extra[i] : 0) ^ lora;
        return extra;
    }
}
