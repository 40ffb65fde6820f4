package dev.caravan.metrics;

import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gauges that exist per engine while the engine is in the registry. Engines discovered at run time get
 * theirs when they join; an engine that leaves takes its gauges with it, because they read that
 * {@link Engine} object: a pod back under the same name is a new object and must not show the old
 * one's numbers (counters keyed by the engine id are kept, so rate() over a restart stays right).
 */
final class PerEngineMeters implements EngineRegistry.Listener {

    /** Registers an engine's gauges and returns them. */
    interface Registrar {
        List<Meter> register(MeterRegistry registry, Engine engine);
    }

    private final EngineRegistry engines;
    private final Registrar registrar;
    private final Map<String, List<Meter>> byEngine = new HashMap<>();
    private MeterRegistry registry;

    PerEngineMeters(EngineRegistry engines, Registrar registrar) {
        this.engines = engines;
        this.registrar = registrar;
    }

    synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (Engine e : engines.all()) {
            bind(e);
        }
        engines.addListener(this);
    }

    @Override
    public synchronized void added(Engine engine) {
        if (registry != null) {
            bind(engine);
        }
    }

    @Override
    public synchronized void removed(Engine engine) {
        List<Meter> meters = byEngine.remove(engine.id());
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private void bind(Engine e) {
        if (!byEngine.containsKey(e.id())) {
            byEngine.put(e.id(), registrar.register(registry, e));
        }
    }
}
