package dev.caravan.placement.policy;

import dev.caravan.core.PlacementRequest;
import dev.caravan.core.PrefixMatchSource;
import dev.caravan.engines.Engine;
import dev.caravan.placement.prefix.PreciseBlocks;
import dev.caravan.placement.prefix.PrefixIndex;
import java.util.List;

/**
 * How much of one prompt each candidate holds: leading prefix blocks per candidate (in the
 * candidates' order) out of the prompt's blocks. Where a candidate's KV event stream is healthy and
 * the prompt was tokenised, what it holds is what it reported ({@code precise}: cached tokens out of
 * the prompt's tokens, expressed in index blocks for the load score); elsewhere the approximate
 * index's guess.
 *
 * @param preciseTokens per candidate, the prompt tokens it reported holding, or -1 (approximate);
 *                      null when no candidate was matched precisely
 */
record PrefixMatch(int[] matched, int blocks, int promptChars, int[] preciseTokens, int promptTokens,
                   List<Engine> candidates) {

    /** Nothing is matched and the prompt is unknown: placement by load alone. */
    static final PrefixMatch NONE = new PrefixMatch(null, 0, 0, null, 0, List.of());

    static PrefixMatch of(PrefixIndex index, PlacementRequest request, List<Engine> candidates) {
        String prompt = request.promptText();
        int[] matched = new int[candidates.size()];
        int blocks = index.match(prompt, candidates, matched);
        PreciseBlocks precise = index.precise();
        int[] tokens = request.promptTokens() == null ? null : request.promptTokens().ids();
        if (precise == null || tokens == null || tokens.length == 0) {
            return new PrefixMatch(matched, blocks, prompt.length(), null, 0, candidates);
        }
        int[] held = new int[candidates.size()];
        precise.match(tokens, candidates, held);
        boolean any = false;
        for (int i = 0; i < held.length; i++) {
            if (held[i] < 0) continue;
            any = true;
            // The load score and the bounded-load rule read shares of index blocks: the same share.
            matched[i] = (int) Math.min(blocks, Math.round((double) held[i] / tokens.length * blocks));
        }
        return new PrefixMatch(matched, blocks, prompt.length(), any ? held : null, tokens.length, candidates);
    }

    /** Nothing is matched, on purpose (an isolated cache), but the prompt still has to be computed. */
    static PrefixMatch unmatched(String prompt) {
        return new PrefixMatch(null, 0, prompt.length(), null, 0, List.of());
    }

    /** Blocks candidate {@code i} probably holds. */
    int at(int i) { return matched == null ? 0 : matched[i]; }

    /** The share (0..1) of the prompt candidate {@code i} probably holds. */
    double share(int i) { return blocks == 0 ? 0 : (double) at(i) / blocks; }

    /** Whether candidate {@code i}'s match comes from its own KV events. */
    boolean precise(int i) { return preciseTokens != null && i >= 0 && i < preciseTokens.length && preciseTokens[i] >= 0; }

    /** Prompt tokens candidate {@code i} lacks, by its own report ({@link #precise(int)} only). */
    int preciseUncached(int i) { return Math.max(0, promptTokens - preciseTokens[i]); }

    /** Where candidate {@code e}'s match came from. */
    PrefixMatchSource source(Engine e) {
        if (matched == null) return PrefixMatchSource.NONE;
        return precise(candidates.indexOf(e)) ? PrefixMatchSource.PRECISE : PrefixMatchSource.APPROXIMATE;
    }
}
