package dev.caravan.placement.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The decoder against batches encoded as vLLM's msgspec structs encode them (written here by hand,
 * field by field, from {@code vllm/distributed/kv_events.py}), in both of vLLM's encodings.
 */
class KvEventDecoderTest {

    private final List<String> seen = new ArrayList<>();
    private final KvEventFold fold = new KvEventFold() {
        @Override
        public void stored(long[] hashes, int n, boolean hasParent, long parentHash, int[] tokens, int tokenCount,
                           int blockSize, long[] extra) {
            seen.add("stored " + Arrays.toString(Arrays.copyOf(hashes, n)) + " parent=" + (hasParent ? parentHash : "none")
                    + " tokens=" + tokenCount + " bs=" + blockSize + " extra=" + (extra != null));
        }

        @Override
        public void removed(long[] hashes, int n) { seen.add("removed " + Arrays.toString(Arrays.copyOf(hashes, n))); }

        @Override
        public void cleared() { seen.add("cleared"); }
    };

    @Test
    void arrayLikeBatchWithIntHashes() throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3).packDouble(1.5).packArrayHeader(4);
        // ["BlockStored", block_hashes, parent_block_hash, token_ids, block_size, lora_id, medium]
        p.packArrayHeader(7).packString("BlockStored").packArrayHeader(2).packLong(11).packLong(12).packNil();
        tokens(p, 32).packInt(16).packNil().packString("GPU");
        // a uint64 hash above Long.MAX_VALUE (VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES masks to 64 bits)
        p.packArrayHeader(3).packString("BlockRemoved").packArrayHeader(1)
                .packBigInteger(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)).packString("GPU");
        p.packArrayHeader(1).packString("AllBlocksCleared");
        p.packArrayHeader(2).packString("SomethingNew").packInt(1);
        p.packInt(0);

        assertThat(new KvEventDecoder().decode(p.toByteArray(), fold)).isEqualTo(4);
        assertThat(seen).containsExactly("stored [11, 12] parent=none tokens=32 bs=16 extra=false",
                "removed [-1]", "cleared");
    }

    @Test
    void taggedMapBatchWithBytesHashesAndNewerFields() throws IOException {
        byte[] parent = new byte[32];
        parent[0] = 7;
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packMapHeader(3).packString("ts").packDouble(2.0).packString("events").packArrayHeader(3);
        p.packMapHeader(11).packString("type").packString("BlockStored");
        p.packString("block_hashes").packArrayHeader(1);
        bytes(p, new byte[32]);
        p.packString("parent_block_hash");
        bytes(p, parent);
        p.packString("token_ids");
        tokens(p, 16);
        p.packString("block_size").packInt(16).packString("lora_id").packNil().packString("medium").packString("GPU")
                .packString("lora_name").packNil().packString("extra_keys").packArrayHeader(1).packArrayHeader(1).packString("salt")
                .packString("group_idx").packInt(0).packString("kv_cache_spec_kind").packString("full_attention");
        // blocks offloaded to CPU are not what the GPU can reuse at once: skipped
        p.packMapHeader(3).packString("type").packString("BlockRemoved").packString("block_hashes").packArrayHeader(1);
        bytes(p, parent);
        p.packString("medium").packString("CPU");
        p.packMapHeader(1).packString("type").packString("AllBlocksCleared");
        p.packString("data_parallel_rank").packInt(0);

        new KvEventDecoder().decode(p.toByteArray(), fold);

        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).startsWith("stored [" + KvEventDecoder.bytesHash(new byte[32]) + "] parent="
                + KvEventDecoder.bytesHash(parent)).endsWith("tokens=16 bs=16 extra=true");
        assertThat(seen.get(1)).isEqualTo("cleared");
    }

    @Test
    void notABatchIsAnError() {
        assertThatThrownBy(() -> new KvEventDecoder().decode(new byte[] {(byte) 0xc3}, fold)).isInstanceOf(IOException.class);
    }

    private static MessageBufferPacker tokens(MessageBufferPacker p, int n) throws IOException {
        p.packArrayHeader(n);
        for (int i = 0; i < n; i++) p.packInt(1000 + i);
        return p;
    }

    private static void bytes(MessageBufferPacker p, byte[] b) throws IOException {
        p.packBinaryHeader(b.length);
        p.writePayload(b);
    }
}
