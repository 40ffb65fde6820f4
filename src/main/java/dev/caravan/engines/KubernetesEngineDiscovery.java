package dev.caravan.engines;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Engines found as pods: an informer on the pods matching a label selector in one namespace adds a
 * pod's engine to the {@link EngineRegistry} when the pod becomes Ready and removes it when it stops
 * being Ready or is deleted, without a restart of the gateway.
 *
 * <p>Pods rather than EndpointSlices: the pod carries what the gateway needs beside the address (its
 * name, the stable id of a StatefulSet member; the model annotation; the named container port), needs
 * no Service in front of the engines, and its Ready condition is the same signal EndpointSlices are
 * built from. The Role it needs is get/list/watch on pods.
 *
 * <p>Discovered engines join the static {@code caravan.engines} list, if any: a pod named like a
 * static engine is ignored (logged), so ids stay unique and every replica ranks the same set.
 */
public class KubernetesEngineDiscovery implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEngineDiscovery.class);

    private final KubernetesClient client;
    private final KubernetesDiscoveryProperties config;
    private final EngineRegistry registry;
    private final PodEngine pods;
    private final Duration initialSyncTimeout;
    /** The engines this discovery added, by pod name: only these are ever removed by it. */
    private final Map<String, Engine> discovered = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;
    private volatile boolean running;

    public KubernetesEngineDiscovery(KubernetesClient client, KubernetesDiscoveryProperties config,
                                     EngineRegistry registry, Duration initialSyncTimeout) {
        this.client = client;
        this.config = config;
        this.registry = registry;
        this.pods = new PodEngine(config);
        this.initialSyncTimeout = initialSyncTimeout;
    }

    /** The namespace watched: configured, else the client's (in-cluster: the pod's own). */
    public String namespace() {
        String ns = config.getNamespace();
        if (ns != null && !ns.isBlank()) return ns;
        String own = client.getNamespace();
        return own == null || own.isBlank() ? "default" : own;
    }

    @Override
    public void start() {
        String ns = namespace();
        informer = client.pods().inNamespace(ns).withLabelSelector(config.getLabelSelector())
                .runnableInformer(config.getResyncPeriod().toMillis());
        informer.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) { reconcile(pod); }

            @Override
            public void onUpdate(Pod before, Pod pod) { reconcile(pod); }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) { gone(pod.getMetadata().getName(), "deleted"); }
        });
        running = true;
        LOG.info("Discovering engines: pods in namespace {} matching {} on port {}", ns, config.getLabelSelector(),
                config.getPort());
        // The pods that exist now are engines before the gateway reports started (the health monitor's
        // first round follows); an API server that does not answer yet is retried by the informer.
        try {
            informer.start().toCompletableFuture().get(initialSyncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("Engine discovery could not list pods in namespace {} yet ({}); it keeps trying. Check the "
                    + "API server and the Role (get/list/watch pods).", ns, rootMessage(e));
        }
    }

    @Override
    public void stop() {
        running = false;
        if (informer != null) {
            informer.stop();
        }
    }

    @Override
    public boolean isRunning() { return running; }

    @Override
    public int getPhase() {
        // before the health monitor's first round (Integer.MAX_VALUE - 1000) and the web server
        return Integer.MAX_VALUE - 2000;
    }

    /** Engine ids this discovery currently holds in the registry. */
    public java.util.Set<String> discoveredIds() { return java.util.Set.copyOf(discovered.keySet()); }

    /** Called on the informer's single event thread, so the events of one pod are applied in order. */
    void reconcile(Pod pod) {
        String name = pod.getMetadata().getName();
        if (!PodEngine.ready(pod)) {
            gone(name, "not ready");
            return;
        }
        Optional<Engine> wanted = pods.engine(pod);
        if (wanted.isEmpty()) {
            LOG.warn("Pod {} is ready but has no container port named {}: not an engine", name, config.getPort());
            gone(name, "no engine port");
            return;
        }
        Engine engine = wanted.get();
        Engine current = discovered.get(name);
        if (current != null) {
            if (sameEngine(current, engine)) {
                return;
            }
            // Same name, other address or models (a StatefulSet pod rescheduled between two events):
            // the id, and so every rendezvous home on it, stays.
            gone(name, "changed to " + engine.url());
        }
        if (registry.byId(name).isPresent()) {
            LOG.warn("Pod {} has the id of a configured engine (caravan.engines): ignored", name);
            return;
        }
        registry.add(engine, config.getApiKey());
        discovered.put(name, engine);
        LOG.info("Engine {} discovered (pod ready{})", engine,
                engine.modelsConfigured() ? ", models " + engine.servedModels() : "");
    }

    private void gone(String name, String why) {
        Engine e = discovered.remove(name);
        if (e != null) {
            registry.remove(name);
            LOG.info("Engine {} removed: pod {}", e, why);
        }
    }

    private static boolean sameEngine(Engine a, Engine b) {
        return a.url().equals(b.url()) && a.modelsConfigured() == b.modelsConfigured()
                && (!a.modelsConfigured() || a.servedModels().equals(b.servedModels()))
                && a.prioritySchedulingEnabled() == b.prioritySchedulingEnabled()
                && a.labels().equals(b.labels());
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.toString();
    }
}
