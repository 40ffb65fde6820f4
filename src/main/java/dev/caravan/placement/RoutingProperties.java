package dev.caravan.placement;

import dev.caravan.placement.policy.PrefixAwarePlacement;
import dev.caravan.placement.prefix.PrefixIndex;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.routing.*}: how requests are placed on engines. Defaults are the values below.
 */
@ConfigurationProperties(prefix = "caravan.routing")
public class RoutingProperties {

    /**
     * {@code caravan.routing.plain-policy}: policy for requests without {@code workflow_metadata}:
     * {@code round-robin}, {@code least-loaded}, {@code session}, {@code prefix-aware} or
     * {@code workflow-aware} (which places plain requests like prefix-aware). Default prefix-aware.
     */
    private String plainPolicy = PrefixAwarePlacement.NAME;

    /**
     * {@code caravan.routing.epsilon}: bounded-load slack; an engine is overloaded when taking one more
     * request would put it above {@code (1 + epsilon) x} the mean load of the candidates. Default 0.25.
     */
    private double epsilon = 0.25;

    /**
     * {@code caravan.routing.min-overload}: load (in-flight + engine waiting) at or below which an engine
     * is never called overloaded, so light traffic keeps perfect affinity. Default 4.
     */
    private int minOverload = 4;

    /** {@code caravan.routing.weights.*}: the {@link LoadScore} cost function. */
    private Weights weights = new Weights();

    /** {@code caravan.routing.prefix.*}: the approximate {@link PrefixIndex}. */
    private Prefix prefix = new Prefix();

    /** {@code caravan.routing.spill.*}: when an overloaded home moves ({@link SpillHysteresis}). */
    private Spill spill = new Spill();
    private CostModel costModel = new CostModel();

    /**
     * {@code caravan.routing.saturation-per-engine}: gateway in-flight requests per engine at which the
     * engine is saturated; when every candidate is saturated requests queue. Default 64.
     */
    private int saturationPerEngine = 64;

    /** {@code caravan.routing.admission.*}: the gateway queue ({@link AdmissionQueue}). */
    private Admission admission = new Admission();

    /** {@code caravan.routing.lineage.*}: {@link LineageTracker}. */
    private Lineage lineage = new Lineage();

    /**
     * {@code caravan.routing.broadcast-k}: engines a {@code broadcast} workflow may spread over (its k
     * top rendezvous choices). Default 2.
     */
    private int broadcastK = 2;

    /**
     * {@code caravan.routing.balance-homes}: a workflow's first home is also bounded by how many live
     * workflows each engine is already home to, so homes stay even at low rates where nothing is in
     * flight. Each gateway replica counts only the workflows it has seen, so with several replicas and
     * no sticky load balancer they may pick different first homes for one workflow; set false there to
     * make every replica pick the same one (pure rendezvous). Default true.
     */
    private boolean balanceHomes = true;

    /**
     * {@code caravan.routing.home-epsilon}: with {@code balance-homes}, an engine may be home to at most
     * {@code ceil((1 + home-epsilon) x mean)} live workflows when a new home is chosen. Default 0: home
     * counts differ by at most one; larger values follow the rendezvous order more closely.
     */
    private double homeEpsilon = 0.0;

    public static class CostModel {
        /**
         * {@code caravan.routing.cost-model.enabled}: rank engines by what a request is predicted to cost
         * there in seconds, learnt online from each engine's own answers (time to first token against
         * uncached prompt tokens and load, inter-token latency against batch size), instead of the
         * weighted score of {@code caravan.routing.weights}; a workflow's fan-out spreads to a second
         * engine when waiting on its home costs more than computing the context there. Default true.
         */
        private boolean enabled = true;
        /**
         * {@code caravan.routing.cost-model.memory}: answers after which an old answer weighs 1/e in an
         * engine's fit: smaller follows a changing engine faster, larger averages out noise. Default 128.
         */
        private double memory = 128;
        /**
         * {@code caravan.routing.cost-model.forget-after}: time without answers after which what an engine
         * taught weighs 1/e against the fleet's fit, so an engine once judged slow (and so sent little)
         * is tried again. Default 30s.
         */
        private Duration forgetAfter = Duration.ofSeconds(30);

        public Duration getForgetAfter() { return forgetAfter; }
        public void setForgetAfter(Duration v) { forgetAfter = v; }
        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean v) { enabled = v; }
        public double getMemory() { return memory; }
        public void setMemory(double v) { memory = v; }
    }

    public static class Weights {
        /** {@code caravan.routing.weights.in-flight}: weight of gateway in-flight / saturation. Default 1.0. */
        private double inFlight = 1.0;
        /** {@code caravan.routing.weights.waiting}: weight of engine waiting queue / saturation. Default 2.0. */
        private double waiting = 2.0;
        /** {@code caravan.routing.weights.kv-cache}: weight of KV-cache usage (0..1). Default 1.0. */
        private double kvCache = 1.0;
        /**
         * {@code caravan.routing.weights.prefix}: bonus for the fraction of prompt blocks the engine
         * probably caches. Default 1.5; overridden by {@code caravan.workflow-support.cache-affinity-weight}.
         */
        private double prefix = 1.5;
        /**
         * {@code caravan.routing.weights.affinity}: bonus for a workflow's own engines when scoring a
         * broadcast set. Default 0.5; overridden by {@code caravan.workflow-support.batching-preference}.
         */
        private double affinity = 0.5;

        public double getInFlight() { return inFlight; }
        public void setInFlight(double v) { inFlight = v; }
        public double getWaiting() { return waiting; }
        public void setWaiting(double v) { waiting = v; }
        public double getKvCache() { return kvCache; }
        public void setKvCache(double v) { kvCache = v; }
        public double getPrefix() { return prefix; }
        public void setPrefix(double v) { prefix = v; }
        public double getAffinity() { return affinity; }
        public void setAffinity(double v) { affinity = v; }
    }

    public static class Prefix {
        /** {@code caravan.routing.prefix.block-chars}: characters per hashed block. Default 128. */
        private int blockChars = 128;
        /**
         * {@code caravan.routing.prefix.max-entries}: global budget of prefix entries (about
         * {@value PrefixIndex#BYTES_PER_ENTRY} bytes each, allocated at start). Default 1,048,576 (32 MiB).
         */
        private int maxEntries = 1 << 20;
        /**
         * {@code caravan.routing.prefix.max-blocks}: leading blocks of a prompt indexed at most. Default
         * 1,024 (128 KiB of text, about 32k tokens): two engines holding different lengths of a long
         * conversation must not look equal (256 blocks did: docs/benchmarks.md, "Mooncake replay").
         */
        private int maxBlocks = 1024;
        /**
         * {@code caravan.routing.prefix.capacity-aware}: the index models each engine's KV cache (its size
         * from {@code vllm:cache_config_info} or {@code caravan.engines[i].kv-cache-tokens}) and forgets
         * the prefixes the engine has probably evicted, least recently used first. Engines of unknown
         * size are unaffected. Default false: side by side it shortened the TTFT tail a little but gave
         * back hit rate on both benchmark workloads (docs/benchmarks.md, "The prefix index with each
         * engine's KV capacity"), so it is opt-in until its model of a loaded engine is better.
         */
        private boolean capacityAware = false;
        /**
         * {@code caravan.routing.prefix.chars-per-token}: prompt characters per engine token until the
         * engines' answers ({@code usage.prompt_tokens}) have taught the real ratio; converts an
         * engine's capacity in tokens to index blocks. Default 4.0 (English text under BPE tokenizers).
         */
        private double charsPerToken = PrefixIndex.DEFAULT_CHARS_PER_TOKEN;
        /**
         * {@code caravan.routing.prefix.learn-chars-per-token}: learn the ratio per engine from its
         * answers; false keeps {@code chars-per-token}. Default true.
         */
        private boolean learnCharsPerToken = true;

        public int getBlockChars() { return blockChars; }
        public void setBlockChars(int v) { blockChars = v; }
        public int getMaxEntries() { return maxEntries; }
        public void setMaxEntries(int v) { maxEntries = v; }
        public int getMaxBlocks() { return maxBlocks; }
        public void setMaxBlocks(int v) { maxBlocks = v; }
        public boolean isCapacityAware() { return capacityAware; }
        public void setCapacityAware(boolean v) { capacityAware = v; }
        public double getCharsPerToken() { return charsPerToken; }
        public void setCharsPerToken(double v) { charsPerToken = v; }
        public boolean isLearnCharsPerToken() { return learnCharsPerToken; }
        public void setLearnCharsPerToken(boolean v) { learnCharsPerToken = v; }
    }

    public static class Spill {
        /** {@code caravan.routing.spill.spills-to-move}: consecutive spills that move the home. Default 8. */
        private int spillsToMove = 8;
        /**
         * {@code caravan.routing.spill.overload-to-move}: an uninterrupted run of spills lasting this long
         * moves the home even with fewer spills (0 disables). Default 10s.
         */
        private Duration overloadToMove = Duration.ofSeconds(10);

        public int getSpillsToMove() { return spillsToMove; }
        public void setSpillsToMove(int v) { spillsToMove = v; }
        public Duration getOverloadToMove() { return overloadToMove; }
        public void setOverloadToMove(Duration v) { overloadToMove = v; }
    }

    public static class Admission {
        /** {@code caravan.routing.admission.queue-size}: requests waiting at most; beyond, 429. Default 1024. */
        private int queueSize = 1024;
        /** {@code caravan.routing.admission.max-wait}: longest wait before 429. Default 30s. */
        private Duration maxWait = Duration.ofSeconds(30);
        /** {@code caravan.routing.admission.recheck}: how often waiters re-check capacity by themselves. Default 100ms. */
        private Duration recheck = Duration.ofMillis(100);

        public int getQueueSize() { return queueSize; }
        public void setQueueSize(int v) { queueSize = v; }
        public Duration getMaxWait() { return maxWait; }
        public void setMaxWait(Duration v) { maxWait = v; }
        public Duration getRecheck() { return recheck; }
        public void setRecheck(Duration v) { recheck = v; }
    }

    public static class Lineage {
        /** {@code caravan.routing.lineage.max-entries}: request ids remembered. Default 200,000. */
        private int maxEntries = 200_000;
        /** {@code caravan.routing.lineage.ttl}: how long a request id is remembered. Default 10m. */
        private Duration ttl = Duration.ofMinutes(10);

        public int getMaxEntries() { return maxEntries; }
        public void setMaxEntries(int v) { maxEntries = v; }
        public Duration getTtl() { return ttl; }
        public void setTtl(Duration v) { ttl = v; }
    }

    public String getPlainPolicy() { return plainPolicy; }
    public void setPlainPolicy(String v) { plainPolicy = v; }
    public double getEpsilon() { return epsilon; }
    public void setEpsilon(double v) { epsilon = v; }
    public int getMinOverload() { return minOverload; }
    public void setMinOverload(int v) { minOverload = v; }
    public Weights getWeights() { return weights; }
    public void setWeights(Weights v) { weights = v; }
    public Prefix getPrefix() { return prefix; }
    public void setPrefix(Prefix v) { prefix = v; }
    public Spill getSpill() { return spill; }
    public CostModel getCostModel() { return costModel; }
    public void setSpill(Spill v) { spill = v; }
    public int getSaturationPerEngine() { return saturationPerEngine; }
    public void setSaturationPerEngine(int v) { saturationPerEngine = v; }
    public Admission getAdmission() { return admission; }
    public void setAdmission(Admission v) { admission = v; }
    public Lineage getLineage() { return lineage; }
    public void setLineage(Lineage v) { lineage = v; }
    public boolean isBalanceHomes() { return balanceHomes; }
    public double getHomeEpsilon() { return homeEpsilon; }
    public void setHomeEpsilon(double v) {
        if (v < 0) throw new IllegalArgumentException("caravan.routing.home-epsilon must be >= 0");
        homeEpsilon = v;
    }
    public void setBalanceHomes(boolean v) { balanceHomes = v; }
    public int getBroadcastK() { return broadcastK; }
    public void setBroadcastK(int v) { broadcastK = v; }
}
