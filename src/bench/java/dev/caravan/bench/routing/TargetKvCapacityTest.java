package dev.caravan.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The pooled-cache reference of a --target run is as large as the target's engines say they are. */
class TargetKvCapacityTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void sumsTheEnginesKvCacheInBlocks() throws Exception {
        String health = """
                {"status":"ok","engines":[{"id":"a","kv_cache_tokens":131072},{"id":"b","kv_cache_tokens":65536}]}""";
        assertThat(TargetKvCapacity.blocks(json.readTree(health), 16)).isEqualTo((131072 + 65536) / 16);
    }

    @Test
    void unknownWhenAnEngineDoesNotReportItsSize() throws Exception {
        assertThat(TargetKvCapacity.blocks(json.readTree("""
                {"engines":[{"id":"a","kv_cache_tokens":131072},{"id":"b","kv_cache_tokens":0}]}"""), 16)).isEqualTo(-1);
        assertThat(TargetKvCapacity.blocks(json.readTree("{\"engines\":[]}"), 16)).isEqualTo(-1);
        assertThat(TargetKvCapacity.blocks(json.readTree("{\"status\":\"ok\"}"), 16)).isEqualTo(-1);
    }
}
