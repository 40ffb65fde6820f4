package dev.caravan.engines;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The engines the gateway may send work to. The list itself changes rarely (configuration,
 * simulated engines at start); per-engine state changes constantly and lives in {@link Engine}.
 */
public class EngineRegistry {

    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private volatile Map<String, Engine> byId = Map.of();
    private final Map<String, String> apiKeys = new java.util.concurrent.ConcurrentHashMap<>();

    public void add(Engine engine, String apiKey) {
        engines.add(engine);
        if (apiKey != null && !apiKey.isBlank()) {
            apiKeys.put(engine.id(), apiKey);
        }
        byId = engines.stream().collect(Collectors.toUnmodifiableMap(Engine::id, Function.identity()));
    }

    public List<Engine> all() { return engines; }

    public Optional<Engine> byId(String id) { return Optional.ofNullable(byId.get(id)); }

    public String apiKey(Engine engine) { return apiKeys.get(engine.id()); }

    /** Healthy engines that serve the model and have not already failed this request. */
    public List<Engine> candidates(String model, Set<String> excluded) {
        List<Engine> out = new ArrayList<>(engines.size());
        for (Engine e : engines) {
            if (e.isHealthy() && e.serves(model) && !excluded.contains(e.id())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Whether any engine, healthy or not, serves the model: tells "unknown model" from "no capacity". */
    public boolean anyServes(String model) {
        for (Engine e : engines) {
            if (e.serves(model)) {
                return true;
            }
        }
        return false;
    }

    /** Every model name an engine is known to serve (configured or discovered), sorted. */
    public java.util.SortedSet<String> servedModels() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (Engine e : engines) {
            out.addAll(e.servedModels());
        }
        return out;
    }

    public boolean anyHealthy() {
        for (Engine e : engines) {
            if (e.isHealthy()) {
                return true;
            }
        }
        return false;
    }
}
