package dev.caravan.routing;

import dev.caravan.engines.Engine;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test helper: healthy idle engines e0..e(n-1). */
public final class Engines {
    private Engines() {}

    public static Engine engine(String id) {
        Engine e = new Engine(id, URI.create("http://" + id + ":8000"), Set.of(), Map.of(), false);
        e.markHealthy(true);
        return e;
    }

    /** A healthy idle engine whose KV cache holds {@code kvCacheTokens} tokens (as if configured). */
    public static Engine engine(String id, long kvCacheTokens) {
        Engine e = new Engine(id, URI.create("http://" + id + ":8000"), Set.of(), Map.of(), false, kvCacheTokens);
        e.markHealthy(true);
        return e;
    }

    public static List<Engine> engines(int n) {
        List<Engine> list = new ArrayList<>();
        for (int i = 0; i < n; i++) list.add(engine("e" + i));
        return list;
    }

    public static void load(Engine e, int inFlight) {
        for (int i = 0; i < inFlight; i++) e.requestStarted();
    }

    public static PlacementRequest plain(String id, String prompt) {
        return new PlacementRequest(id, "m", prompt, null, null, Set.of());
    }
}
