package dev.caravan.placement.policy;

import dev.caravan.engines.Engine;
import dev.caravan.placement.prefix.PrefixIndex;
import java.util.List;

/**
 * How much of one prompt each candidate probably holds: leading prefix blocks per candidate (in the
 * candidates' order) out of the prompt's blocks.
 */
record PrefixMatch(int[] matched, int blocks, int promptChars) {

    /** Nothing is matched and the prompt is unknown: placement by load alone. */
    static final PrefixMatch NONE = new PrefixMatch(null, 0, 0);

    static PrefixMatch of(PrefixIndex index, String prompt, List<Engine> candidates) {
        int[] matched = new int[candidates.size()];
        int blocks = index.match(prompt, candidates, matched);
        return new PrefixMatch(matched, blocks, prompt.length());
    }

    /** Nothing is matched, on purpose (an isolated cache), but the prompt still has to be computed. */
    static PrefixMatch unmatched(String prompt) {
        return new PrefixMatch(null, 0, prompt.length());
    }

    /** Blocks candidate {@code i} probably holds. */
    int at(int i) { return matched == null ? 0 : matched[i]; }

    /** The share (0..1) of the prompt candidate {@code i} probably holds. */
    double share(int i) { return blocks == 0 ? 0 : (double) at(i) / blocks; }
}
