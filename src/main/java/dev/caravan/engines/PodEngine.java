package dev.caravan.engines;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a pod says about the engine in it: whether it takes traffic (Ready, with an IP, not being
 * deleted), where (IP and port), under which id and with which models.
 *
 * <p>The id is the pod's name. A StatefulSet's pods keep theirs ({@code vllm-0}, {@code vllm-1})
 * across restarts and rescheduling, so rendezvous homes survive; a Deployment's pods get new names,
 * so a restarted pod is a new engine and the workflows homed on the old one move.
 */
final class PodEngine {

    private final KubernetesDiscoveryProperties config;

    PodEngine(KubernetesDiscoveryProperties config) {
        this.config = config;
    }

    static boolean ready(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
            return false;
        }
        String ip = pod.getStatus().getPodIP();
        if (ip == null || ip.isBlank()) {
            return false;
        }
        if (pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** The engine a ready pod serves, or empty when its port cannot be found (logged by the caller). */
    Optional<Engine> engine(Pod pod) {
        Integer port = port(pod);
        if (port == null) {
            return Optional.empty();
        }
        String ip = pod.getStatus().getPodIP();
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        URI url = URI.create(config.getScheme() + "://" + host + ":" + port);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", pod.getMetadata().getNamespace());
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
            labels.put("node", pod.getSpec().getNodeName());
        }
        boolean priority = "true".equalsIgnoreCase(value(pod, config.getPrioritySchedulingKey()));
        long kvTokens = 0;
        String kv = value(pod, config.getKvCacheTokensKey());
        if (kv != null) {
            try {
                kvTokens = Math.max(0, Long.parseLong(kv.trim()));
            } catch (NumberFormatException e) {
                kvTokens = 0; // a wrong annotation falls back to what the engine reports
            }
        }
        return Optional.of(new Engine(pod.getMetadata().getName(), url, models(pod), labels, priority, kvTokens));
    }

    /** Configured models from the annotation, else the label; empty lets /v1/models decide. */
    Set<String> models(Pod pod) {
        String v = value(pod, config.getModelKey());
        Set<String> out = new LinkedHashSet<>();
        if (v != null) {
            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }

    /** The engine port: a number as configured, or the container port with that name. */
    Integer port(Pod pod) {
        String p = config.getPort().trim();
        if (p.chars().allMatch(Character::isDigit) && !p.isEmpty()) {
            return Integer.parseInt(p);
        }
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) continue;
            for (ContainerPort cp : c.getPorts()) {
                if (p.equals(cp.getName())) {
                    return cp.getContainerPort();
                }
            }
        }
        return null;
    }

    private static String value(Pod pod, String key) {
        if (key == null || key.isBlank()) {
            return null;
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(key)) {
            return annotations.get(key);
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }
}
