package dev.caravan.placement.prefix;

import dev.caravan.engines.Engine;
import java.util.List;

/**
 * What the engines themselves reported holding (KV events), for the engines whose report can be
 * trusted now; placement falls back to the approximate {@link PrefixIndex} for the others.
 */
public interface PreciseBlocks {

    /** Whether any of the candidates has a healthy event stream (else tokenising the prompt is useless). */
    boolean anyHealthy(List<Engine> candidates);

    /**
     * Leading prompt tokens each candidate holds in whole blocks, {@code out[i]} for candidate {@code i},
     * or -1 where its stream is not healthy (down, or a gap not yet replayed).
     */
    void match(int[] promptTokens, List<Engine> candidates, int[] out);
}
