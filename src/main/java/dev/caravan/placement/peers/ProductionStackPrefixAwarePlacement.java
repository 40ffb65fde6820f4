package dev.caravan.placement.peers;

import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementPolicy;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.engines.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code ps-prefixaware}: the vLLM production-stack router's {@code prefixaware} routing logic,
 * re-implemented for side-by-side comparison.
 *
 * <p>Source: vllm-project/production-stack, {@code src/vllm_router/routers/routing_logic.py}
 * ({@code PrefixAwareRouter}) and {@code src/vllm_router/prefix/hashtrie.py} ({@code HashTrie}).
 * The request text is cut into 128-character chunks; each chunk's hash is a trie edge, and every
 * trie node keeps the set of endpoints that were sent that prefix. Routing walks the trie as far as
 * some available endpoint still matches (longest match), picks one of the matching endpoints at
 * random (all endpoints when nothing matches), then inserts the request's chunks for the chosen
 * endpoint. Nothing is ever evicted and no load is looked at: that is the algorithm as published.
 *
 * <p>Here a trie path is represented by the chained hash of its chunks (the same identity), in a
 * concurrent map from path hash to endpoint ids.
 */
public final class ProductionStackPrefixAwarePlacement implements PlacementPolicy {

    public static final String NAME = "ps-prefixaware";
    /** production-stack's {@code HashTrie(chunk_size=128)}. */
    public static final int CHUNK_CHARS = 128;

    private final ConcurrentHashMap<Long, Set<String>> endpointsByPath = new ConcurrentHashMap<>();

    @Override
    public String name() { return NAME; }

    @Override
    public PlacementDecision place(PlacementRequest request, List<Engine> candidates) {
        String text = request.promptText() == null ? "" : request.promptText();
        long[] path = TextChunks.chainedHashes(text, CHUNK_CHARS, TextChunks.count(text, CHUNK_CHARS, Integer.MAX_VALUE));
        List<Engine> selected = candidates;
        int matched = 0;
        for (long node : path) {
            Set<String> endpoints = endpointsByPath.get(node);
            if (endpoints == null) break;
            List<Engine> still = new ArrayList<>();
            for (Engine e : selected) if (endpoints.contains(e.id())) still.add(e);
            if (still.isEmpty()) break;
            selected = still;
            matched++;
        }
        Engine chosen = selected.get(ThreadLocalRandom.current().nextInt(selected.size()));
        // production-stack inserts at routing time, before the engine answered.
        for (long node : path) endpointsByPath.computeIfAbsent(node, k -> ConcurrentHashMap.newKeySet()).add(chosen.id());
        return new PlacementDecision(chosen, matched > 0 ? PlacementReason.PREFIX : PlacementReason.HASH);
    }

    /** Trie nodes held (grows without bound, as in production-stack). */
    public int nodes() { return endpointsByPath.size(); }
}
