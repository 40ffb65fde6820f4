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
 * The engines the gateway may send work to. Per-engine state changes constantly and lives in
 * {@link Engine}; the set itself changes rarely: configuration and simulated engines at start, engine
 * discovery at run time ({@link KubernetesEngineDiscovery}).
 *
 * <p>The request path only reads: the list is copy-on-write and the id map a volatile snapshot, so a
 * request never waits for a change of the set. Writers (discovery's informer thread, start-up) take
 * the registry's own monitor, so the list and the map change together.
 */
public class EngineRegistry {

    /** Told when the set changes (per-engine meters, the health monitor's first check). */
    public interface Listener {
        void added(Engine engine);

        void removed(Engine engine);
    }

    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private volatile Map<String, Engine> byId = Map.of();
    private final Map<String, String> apiKeys = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Adds an engine; an id already present is refused (two engines must never share a rendezvous id). */
    public void add(Engine engine, String apiKey) {
        synchronized (this) {
            if (byId.containsKey(engine.id())) {
                throw new IllegalArgumentException("engine id " + engine.id() + " is already registered");
            }
            if (apiKey != null && !apiKey.isBlank()) {
                apiKeys.put(engine.id(), apiKey);
            }
            engines.add(engine);
            byId = snapshot();
        }
        for (Listener l : listeners) {
            l.added(engine);
        }
    }

    /**
     * Takes an engine out of the set, as if it had died: it is marked unhealthy (a request holding it
     * already finishes there; one that fails on it fails over), no new request is placed on it, and
     * workflows whose home it was move at their next request.
     *
     * @return the engine removed, or empty when none had that id
     */
    public Optional<Engine> remove(String id) {
        Engine removed;
        synchronized (this) {
            removed = byId.get(id);
            if (removed == null) {
                return Optional.empty();
            }
            removed.markHealthy(false);
            engines.remove(removed);
            apiKeys.remove(id);
            byId = snapshot();
        }
        for (Listener l : listeners) {
            l.removed(removed);
        }
        return Optional.of(removed);
    }

    public void addListener(Listener listener) { listeners.add(listener); }

    private Map<String, Engine> snapshot() {
        return engines.stream().collect(Collectors.toUnmodifiableMap(Engine::id, Function.identity()));
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
