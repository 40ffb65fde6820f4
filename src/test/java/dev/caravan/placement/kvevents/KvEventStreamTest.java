package dev.caravan.placement.kvevents;

import static dev.caravan.placement.kvevents.SimulatedEngineEvents.complete;
import static dev.caravan.placement.kvevents.SimulatedEngineEvents.eventually;
import static dev.caravan.placement.kvevents.SimulatedEngineEvents.text;
import static dev.caravan.placement.kvevents.SimulatedEngineEvents.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.engines.Engine;
import dev.caravan.placement.prefix.KvBlockIndex;
import dev.caravan.simulator.KvEventWireFormat;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A gateway-side stream following a real simulated engine's KV events over ZMQ (both of vLLM's
 * encodings): the index it builds, evictions, a missed sequence number repaired by replay, a dead
 * stream and its recovery, a cleared cache.
 */
class KvEventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private SimulatedEngine sim;
    private KvEventStream stream;
    private final KvBlockIndex index = new KvBlockIndex(100_000);
    private Engine engine;

    private void start(KvEventWireFormat format, int kvCacheBlocks) throws Exception {
        sim = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).kvCacheBlocks(kvCacheBlocks)
                .kvEventsPort(0).kvEventsReplayPort(0).kvEventsWireFormat(format).build());
        engine = new Engine("sim", sim.baseUrl(), Set.of(), Map.of(), false);
        stream = new KvEventStream("sim", sim.kvEventsEndpoint(), sim.kvEventsReplayEndpoint(), index, 400, 100).start();
        eventually(WAIT, "the stream is healthy", stream::healthy);
    }

    @AfterEach
    void stop() {
        if (stream != null) stream.close();
        if (sim != null) sim.close();
    }

    private int held(int[] prompt) {
        int[] out = new int[1];
        index.matchedTokens(prompt, List.of(engine), out);
        return out[0];
    }

    private static int fullBlocks(int[] prompt) {
        return prompt.length / 16 * 16;
    }

    @ParameterizedTest
    @EnumSource(KvEventWireFormat.class)
    void eventsFromTheEngineBuildTheIndex(KvEventWireFormat format) throws Exception {
        start(format, 1024);
        String prompt = text("alpha", 120);
        int[] ids = tokens(sim, prompt);
        assertThat(held(ids)).isZero();

        complete(sim, prompt);

        eventually(WAIT, "the prompt's blocks are indexed", () -> held(ids) == fullBlocks(ids));
        assertThat(index.blocksOf("sim")).isEqualTo(sim.stats().cachedBlocks());
        int[] other = tokens(sim, text("beta", 120));
        assertThat(held(other)).as("a prompt the engine never saw").isZero();
        // A prompt sharing the first part only matches that part.
        int[] longer = tokens(sim, prompt + text("gamma", 40));
        assertThat(held(longer)).isEqualTo(fullBlocks(ids));
    }

    @Test
    void anEvictionInTheEngineRemovesTheBlock() throws Exception {
        start(KvEventWireFormat.MAP, 64); // 1,024 tokens of cache
        String first = text("first", 120);
        int[] ids = tokens(sim, first);
        complete(sim, first);
        eventually(WAIT, "indexed", () -> held(ids) == fullBlocks(ids));

        for (int i = 0; i < 8; i++) complete(sim, text("filler" + i, 120));

        eventually(WAIT, "the evicted blocks leave the index", () -> held(ids) < fullBlocks(ids));
        assertThat(sim.stats().evictedBlocks()).isPositive();
        eventually(WAIT, "the index agrees with the engine's cache",
                () -> index.blocksOf("sim") == sim.stats().cachedBlocks());
        assertThat(held(ids)).isEqualTo(16 * sim.cachedPrefixBlocks(first, null));
    }

    @Test
    void aMissedSequenceNumberTriggersReplay() throws Exception {
        start(KvEventWireFormat.MAP, 1024);
        complete(sim, text("warm", 40));
        eventually(WAIT, "first batch folded", () -> stream.batches() >= 1);

        sim.kvEvents().dropNextBatches(1);
        String lost = text("lost", 120);
        int[] ids = tokens(sim, lost);
        complete(sim, lost);
        // The batch never arrives live; the next one shows the gap (or the probe finds it).
        complete(sim, text("after", 40));

        eventually(WAIT, "the missed batch is replayed", () -> stream.replayedBatches() >= 1 && held(ids) == fullBlocks(ids));
        assertThat(stream.lostBatches()).isZero();
        eventually(WAIT, "healthy again", stream::healthy);
    }

    @Test
    void aSilentStreamIsUnhealthyAndRecoversWithWhatItMissed() throws Exception {
        start(KvEventWireFormat.ARRAY, 1024);
        sim.kvEvents().silence(true);
        String during = text("during", 120);
        int[] ids = tokens(sim, during);
        complete(sim, during);

        eventually(WAIT, "unhealthy after the timeout", () -> !stream.healthy());
        assertThat(held(ids)).isZero();

        sim.kvEvents().silence(false);
        eventually(WAIT, "healthy again", stream::healthy);
        eventually(WAIT, "what was published meanwhile is folded", () -> held(ids) == fullBlocks(ids));
    }

    @Test
    void aStoppedEngineIsUnhealthyAndItsRestartStartsItsBlocksAfresh() throws Exception {
        start(KvEventWireFormat.MAP, 1024);
        String before = text("before", 120);
        int[] ids = tokens(sim, before);
        complete(sim, before);
        eventually(WAIT, "indexed", () -> held(ids) == fullBlocks(ids));
        int pub = sim.kvEvents().port(), replay = sim.kvEvents().replayPort();

        sim.close();
        eventually(WAIT, "unhealthy once the engine is gone", () -> !stream.healthy());

        // The same endpoints, a new process: an empty cache and sequence numbers from 0 again.
        sim = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).kvEventsPort(pub).kvEventsReplayPort(replay).build());
        eventually(WAIT, "healthy again", stream::healthy);
        eventually(WAIT, "the old process's blocks are gone", () -> held(ids) == 0);
        assertThat(stream.restarts()).isPositive();
        String after = text("after", 120);
        int[] afterIds = tokens(sim, after);
        complete(sim, after);
        eventually(WAIT, "the new process's blocks are indexed", () -> held(afterIds) == fullBlocks(afterIds));
    }

    @Test
    void aClearedCacheEmptiesTheEnginesBlocks() throws Exception {
        start(KvEventWireFormat.MAP, 1024);
        String prompt = text("kept", 60);
        int[] ids = tokens(sim, prompt);
        complete(sim, prompt);
        eventually(WAIT, "indexed", () -> held(ids) > 0);

        assertThat(sim.resetPrefixCache()).isTrue();

        eventually(WAIT, "AllBlocksCleared folded", () -> index.blocksOf("sim") == 0 && held(ids) == 0);
    }
}
