package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatorConfigTest {

    @Test
    void defaultsAreThe8bOnH100Profile() {
        SimulatorConfig c = SimulatorConfig.defaults();
        assertThat(c.models()).containsExactly("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(c.interTokenLatencyMs()).isEqualTo(12.0);
        assertThat(c.prefillOverheadMs()).isEqualTo(30.0);
        assertThat(c.prefillPerTokenMs()).isEqualTo(0.25);
        assertThat(c.loadFactor()).isEqualTo(2.0);
        assertThat(c.maxRunning()).isEqualTo(16);
        assertThat(c.kvCacheBlocks()).isEqualTo(1024);
        assertThat(c.blockSize()).isEqualTo(16);
        assertThat(c.port()).isZero();
        assertThat(c.schedulingPolicy()).isEqualTo(SchedulingPolicy.FCFS);
    }

    @Test
    void parsesEveryOptionFromTheCommandLine() {
        SimulatorConfig c = SimulatorConfig.fromArgs("--port=8001", "--model=a,b", "--max-model-len=4096",
                "--inter-token-latency-ms=20", "--prefill-overhead-ms=10", "--prefill-per-token-ms=0.5",
                "--load-factor=3", "--max-num-seqs=8", "--max-waiting=5", "--kv-cache-blocks=512", "--block-size=32",
                "--jitter=0", "--seed=3", "--time-scale=0.01", "--scheduling-policy=priority",
                "--default-max-tokens=7", "--prompt-tokens-details=false", "--embedding-dimensions=8",
                "--io-threads=2", "--host=0.0.0.0", "--vllm-version=0.12.0");
        assertThat(c.port()).isEqualTo(8001);
        assertThat(c.models()).isEqualTo(List.of("a", "b"));
        assertThat(c.maxModelLen()).isEqualTo(4096);
        assertThat(c.interTokenLatencyMs()).isEqualTo(20);
        assertThat(c.prefillOverheadMs()).isEqualTo(10);
        assertThat(c.prefillPerTokenMs()).isEqualTo(0.5);
        assertThat(c.loadFactor()).isEqualTo(3);
        assertThat(c.maxRunning()).isEqualTo(8);
        assertThat(c.maxWaiting()).isEqualTo(5);
        assertThat(c.kvCacheBlocks()).isEqualTo(512);
        assertThat(c.blockSize()).isEqualTo(32);
        assertThat(c.jitterFraction()).isZero();
        assertThat(c.seed()).isEqualTo(3);
        assertThat(c.timeScale()).isEqualTo(0.01);
        assertThat(c.schedulingPolicy()).isEqualTo(SchedulingPolicy.PRIORITY);
        assertThat(c.defaultMaxTokens()).isEqualTo(7);
        assertThat(c.reportPromptTokensDetails()).isFalse();
        assertThat(c.embeddingDimensions()).isEqualTo(8);
        assertThat(c.ioThreads()).isEqualTo(2);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.vllmVersion()).isEqualTo("0.12.0");
    }

    @Test
    void rejectsUnknownOptionsAndBadValues() {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--prot=8001")).hasMessageContaining("unknown option --prot");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--load-factor=0.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--scheduling-policy=lifo")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latencyProfileMaxNumBatchedTokensAndSpeedParseWithLinearAsTheDefault() {
        SimulatorConfig d = SimulatorConfig.defaults();
        assertThat(d.latencyProfile()).isEqualTo(LatencyProfile.LINEAR);
        assertThat(d.maxNumBatchedTokens()).isEqualTo(2048);
        assertThat(d.speed()).isEqualTo(1.0);
        SimulatorConfig c = SimulatorConfig.fromArgs("--latency-profile=chunked-prefill", "--max-num-batched-tokens=512",
                "--speed=0.4");
        assertThat(c.latencyProfile()).isEqualTo(LatencyProfile.CHUNKED_PREFILL);
        assertThat(c.maxNumBatchedTokens()).isEqualTo(512);
        assertThat(c.speed()).isEqualTo(0.4);
        assertThat(SimulatorConfig.fromArgs("--latency-profile=batch-scaled").latencyProfile()).isEqualTo(LatencyProfile.BATCH_SCALED);
        assertThat(c.toString()).as("the bench tells engines apart by toString")
                .contains("latencyProfile=chunked-prefill", "maxNumBatchedTokens=512", "speed=0.4");
    }

    @Test
    void badLatencyProfileSpeedAndBudgetValuesAreRejectedClearly() {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--latency-profile=quadratic"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown latency-profile quadratic")
                .hasMessageContaining("[linear, chunked-prefill, batch-scaled]");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--speed=0")).hasMessageContaining("speed must be a positive");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--speed=-1")).hasMessageContaining("speed must be a positive");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--speed=fast")).hasMessage("--speed=fast is not a number");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--max-num-batched-tokens=0"))
                .hasMessageContaining("max-num-batched-tokens must be positive");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs("--latency-profile=chunked-prefill", "--max-running=64",
                "--max-num-batched-tokens=32")).hasMessageContaining("must be >= max-running (64)");
        assertThat(SimulatorConfig.fromArgs("--max-running=64", "--max-num-batched-tokens=32").maxRunning())
                .as("the budget only matters under chunked-prefill").isEqualTo(64);
    }

    @Test
    void severalEnginesRunSideBySideOnFreePorts() throws Exception {
        try (SimulatedEngine a = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build());
             SimulatedEngine b = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            assertThat(a.port()).isPositive().isNotEqualTo(b.port());
            assertThat(a.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + a.port());
            new SimHttp(a).post("/v1/completions", SimHttp.completion(SimHttp.words("iso", 40), 2));
            assertThat(a.stats().requestsCompleted()).isEqualTo(1);
            assertThat(b.stats().requestsCompleted()).isZero();
            assertThat(a.cachedPrefixBlocks(SimHttp.words("iso", 40), null)).isPositive();
            assertThat(b.cachedPrefixBlocks(SimHttp.words("iso", 40), null)).isZero();
        }
    }
}
