package dev.caravan.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads every object the chart renders, for the defaults and the main variants, into the fabric8
 * Kubernetes model strictly (an unknown or misspelt field fails, where the model would otherwise
 * keep it aside), and checks that the objects fit together: Services and the PDB select the pods,
 * probes and Service ports name container ports, volumes and env variables name objects that exist.
 */
class HelmChartModelTest {

    private static final Path CHART = Path.of("helm", "caravan");
    private static final Path MULTI = Path.of("src", "test", "resources", "helm", "multi-replica-values.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Strict: no unknown field, and none kept in the model's additionalProperties either. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                             BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    return builder;
                }
            }));
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class));

    /** Values that turn on every optional object of the single-replica (embedded broker) chart. */
    private static final String EMBEDDED_EVERYTHING = """
            broker:
              embedded:
                password: s3cret
                persistence: {storageClass: "-"}
                service: {enabled: true, annotations: {a: b}}
            apiKeys: {keys: [sk-one]}
            serviceAccount: {create: true, annotations: {team: llm}}
            routes:
              liveReload: {enabled: true}
              files: {extra.camel.yaml: "- route: {id: extra}"}
            metrics:
              serviceMonitor: {enabled: true, labels: {release: prom}}
              prometheusRule: {enabled: true}
              grafanaDashboard: {enabled: true}
            management: {auth: {password: op-s3cret, protectPrometheus: true}}
            extraEnv: [{name: TZ, value: UTC}]
            tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
            topologySpreadConstraints:
              - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,
                 labelSelector: {matchLabels: {app.kubernetes.io/name: caravan}}}
            affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:
                [{matchExpressions: [{key: gpu, operator: DoesNotExist}]}]}}}
            """;

    /** Two fixed replicas on an external broker whose credentials the chart keeps in its own Secret. */
    private static final String EXTERNAL_OWN_SECRET = """
            replicaCount: 2
            broker: {external: {url: "tcp://artemis.messaging.svc:61616", password: s3cret}}
            podDisruptionBudget: {maxUnavailable: 1}
            autoscaling: {targetMemoryUtilizationPercentage: 80}
            apiKeys: {existingSecret: llm-keys, existingSecretKey: keys}
            management: {auth: {password: op-pw}}
            """;

    static final String TLS_EVERYWHERE = """
            tls:
              api: {secretName: caravan-tls}
              management: {secretName: caravan-tls}
              broker: {secretName: broker-keystore, passwordSecretName: broker-keystore-password, needClientAuth: true}
            apiKeys: {keys: [sk-one], adminKeys: [sk-ops]}
            metrics:
              serviceMonitor:
                enabled: true
                tlsConfig: {serverName: caravan-management.llm.svc, ca: {secret: {name: caravan-tls, key: ca.crt}}}
            """;

    @TempDir
    Path tmp;

    @Test
    void defaultsAreValidKubernetesObjectsThatFitTogether() throws IOException {
        List<HasMetadata> objects = render("");
        assertThat(kinds(objects)).containsExactlyInAnyOrder(
                "ConfigMap", "ConfigMap", "Service", "Service", "PersistentVolumeClaim", "Deployment");
        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        PersistentVolumeClaim pvc = one(objects, PersistentVolumeClaim.class);
        assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("2Gi");
        assertFitTogether(objects, Set.of());
    }

    @Test
    void embeddedBrokerWithEveryOptionalObject() throws IOException {
        List<HasMetadata> objects = render(EMBEDDED_EVERYTHING);
        assertThat(kinds(objects)).contains("Secret", "ServiceAccount", "ServiceMonitor", "PrometheusRule")
                .doesNotContain("HorizontalPodAutoscaler", "PodDisruptionBudget");
        Deployment d = one(objects, Deployment.class);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("caravan");
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("routes-init");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("caravan", "routes-sync");
        assertThat(pod.getTolerations().get(0).getKey()).isEqualTo("gpu");
        assertThat(pod.getTopologySpreadConstraints().get(0).getMaxSkew()).isEqualTo(1);
        assertThat(named(objects, Service.class, "caravan-broker").getSpec().getPorts().get(0).getPort()).isEqualTo(61616);
        assertThat(one(objects, PersistentVolumeClaim.class).getSpec().getStorageClassName()).isEmpty();
        assertThat(named(objects, Secret.class, "caravan-management").getData()).containsKeys("username", "password");
        ServiceMonitor sm = one(objects, ServiceMonitor.class);
        assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prom");
        assertThat(sm.getSpec().getEndpoints().get(0).getPort()).isEqualTo("management");
        var basicAuth = sm.getSpec().getEndpoints().get(0).getBasicAuth();
        assertThat(basicAuth.getUsername().getName()).isEqualTo("caravan-management");
        assertThat(basicAuth.getUsername().getKey()).isEqualTo("username");
        assertThat(basicAuth.getPassword().getKey()).isEqualTo("password");
        assertThat(one(objects, PrometheusRule.class).getSpec().getGroups().get(0).getRules()).isNotEmpty();
        assertFitTogether(objects, Set.of());
    }

    @Test
    void externalBrokerVariants() throws IOException {
        List<HasMetadata> multi = render(Files.readString(MULTI));
        HorizontalPodAutoscaler hpa = one(multi, HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("caravan");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(70);
        Deployment d = one(multi, Deployment.class);
        assertThat(d.getSpec().getReplicas()).as("the HPA owns replicas").isNull();
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(one(multi, PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertFitTogether(multi, Set.of("artemis-credentials", "vllm-keys", "ops-login"));

        List<HasMetadata> own = render(EXTERNAL_OWN_SECRET);
        assertThat(one(own, Deployment.class).getSpec().getReplicas()).isEqualTo(2);
        Secret broker = named(own, Secret.class, "caravan-broker");
        assertThat(broker.getData()).containsKeys("user", "password");
        assertThat(one(own, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(kinds(own)).doesNotContain("PersistentVolumeClaim", "HorizontalPodAutoscaler");
        assertFitTogether(own, Set.of("llm-keys"));
    }

    @Test
    void statefulSetBrokerVariant() throws IOException {
        List<HasMetadata> objects = render("replicaCount: 2\nbroker: {mode: statefulset, statefulset: {password: s3cret}}\n"
                + "management: {auth: {password: op-pw}}\n"); // several replicas share one management password
        assertFitTogether(objects, Set.of());
        assertStatefulSetsFit(objects, Set.of());
        assertThat(names(objects, io.fabric8.kubernetes.api.model.apps.StatefulSet.class)).containsExactly("caravan-artemis");
    }

    @Test
    void engineFleetVariants() throws IOException {
        List<HasMetadata> objects = render(HelmChartTest.VLLM_FLEET + "  simulator: {enabled: true}\n");
        assertFitTogether(objects, Set.of("hf"));
        assertStatefulSetsFit(objects, Set.of("hf"));
        assertThat(names(objects, io.fabric8.kubernetes.api.model.apps.StatefulSet.class))
                .containsExactlyInAnyOrder("caravan-llama-8b", "caravan-qwen", "caravan-sim");
        var llama = named(objects, io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "caravan-llama-8b");
        assertThat(llama.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsKey("nvidia.com/gpu");
    }

    @Test
    void engineDiscoveryVariant() throws IOException {
        List<HasMetadata> objects = render("engineDiscovery: {enabled: true, apiKeySecret: {name: vllm-keys, key: all}}\n");
        assertFitTogether(objects, Set.of("vllm-keys"));
        var binding = one(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
        var role = one(objects, io.fabric8.kubernetes.api.model.rbac.Role.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(names(objects, ServiceAccount.class)).contains(binding.getSubjects().get(0).getName());
        assertThat(one(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(binding.getSubjects().get(0).getName());
    }

    /** TLS on the three ports from existing Secrets, admin keys beside the API keys, a TLS scrape. */
    @Test
    void tlsVariant() throws IOException {
        List<HasMetadata> objects = render(TLS_EVERYWHERE);
        Deployment d = one(objects, Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(c.getLivenessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(c.getStartupProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().startsWith("tls-"))
                .allMatch(m -> Boolean.TRUE.equals(m.getReadOnly())).hasSize(3);
        var endpoint = one(objects, ServiceMonitor.class).getSpec().getEndpoints().get(0);
        assertThat(endpoint.getScheme()).isEqualTo("https");
        assertThat(endpoint.getTlsConfig().getServerName()).isEqualTo("caravan-management.llm.svc");
        assertThat(named(objects, Secret.class, "caravan-api-keys").getData()).containsKeys("api-keys", "admin-keys");
        assertFitTogether(objects, Set.of("caravan-tls", "broker-keystore", "broker-keystore-password"));
    }

    @Test
    void aMisspeltFieldInAFreeFormValueIsCaughtByTheModel() {
        // values.schema.json leaves Kubernetes-shaped blocks free-form; the model does not
        assertThatThrownBy(() -> render("podSecurityContext: {runAsNonRot: true}\n"))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("\"runAsNonRot\"");
        assertThatThrownBy(() -> render("tolerations: [{key: gpu, efect: NoSchedule}]\n"))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("\"efect\"");
        // and a template that misspelt a field would fail the same way
        assertThatThrownBy(() -> STRICT.readValue(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"replica\":1}}",
                Deployment.class)).isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("\"replica\"");
    }

    // --- helpers ---

    /** Cross-object references a cluster would only report at run time. */
    private static void assertFitTogether(List<HasMetadata> objects, Set<String> existingSecrets) {
        Deployment d = one(objects, Deployment.class);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        Set<String> portNames = pod.getContainers().get(0).getPorts().stream().map(ContainerPort::getName)
                .collect(Collectors.toSet());
        Container gateway = pod.getContainers().get(0);
        for (var probe : List.of(gateway.getReadinessProbe(), gateway.getLivenessProbe(), gateway.getStartupProbe())) {
            assertThat(portNames).contains(probe.getHttpGet().getPort().getStrVal());
        }
        Set<String> statefulSetServices = all(objects, io.fabric8.kubernetes.api.model.apps.StatefulSet.class).stream()
                .map(sts -> sts.getSpec().getServiceName()).collect(Collectors.toSet());
        for (Service s : all(objects, Service.class)) {
            if (statefulSetServices.contains(s.getMetadata().getName())) {
                continue; // governs a StatefulSet's pods: assertStatefulSetsFit
            }
            assertThat(podLabels).as("Service %s selects the pods", s.getMetadata().getName())
                    .containsAllEntriesOf(s.getSpec().getSelector());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertThat(portNames).as("Service %s targetPort", s.getMetadata().getName())
                        .contains(p.getTargetPort().getStrVal());
            }
        }
        for (PodDisruptionBudget pdb : all(objects, PodDisruptionBudget.class)) {
            assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        }
        for (ServiceMonitor sm : all(objects, ServiceMonitor.class)) {
            var auth = sm.getSpec().getEndpoints().get(0).getBasicAuth();
            if (auth != null) {
                Set<String> known = new java.util.HashSet<>(names(objects, Secret.class));
                known.addAll(existingSecrets);
                for (var ref : List.of(auth.getUsername(), auth.getPassword())) {
                    assertThat(known).as("ServiceMonitor basicAuth Secret").contains(ref.getName());
                    all(objects, Secret.class).stream().filter(x -> x.getMetadata().getName().equals(ref.getName()))
                            .forEach(x -> assertThat(x.getData()).containsKey(ref.getKey()));
                }
            }
            Service target = all(objects, Service.class).stream()
                    .filter(s -> s.getMetadata().getLabels().entrySet()
                            .containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()))
                    .findFirst().orElseThrow(() -> new AssertionError("ServiceMonitor selects no Service"));
            assertThat(target.getSpec().getPorts()).extracting(ServicePort::getName)
                    .contains(sm.getSpec().getEndpoints().get(0).getPort());
        }
        Set<String> configMaps = names(objects, ConfigMap.class);
        Set<String> claims = names(objects, PersistentVolumeClaim.class);
        Set<String> volumes = new java.util.HashSet<>();
        for (Volume v : pod.getVolumes()) {
            volumes.add(v.getName());
            if (v.getConfigMap() != null) {
                assertThat(configMaps).as("volume %s", v.getName()).contains(v.getConfigMap().getName());
            }
            if (v.getPersistentVolumeClaim() != null) {
                assertThat(claims).as("volume %s", v.getName()).contains(v.getPersistentVolumeClaim().getClaimName());
            }
        }
        Set<String> secrets = new java.util.HashSet<>(names(objects, Secret.class));
        secrets.addAll(existingSecrets);
        for (Volume v : pod.getVolumes()) {
            if (v.getSecret() != null) {
                assertThat(secrets).as("volume %s", v.getName()).contains(v.getSecret().getSecretName());
            }
        }
        for (Container c : containers) {
            c.getVolumeMounts().forEach(m -> assertThat(volumes).as("mount %s", m.getName()).contains(m.getName()));
            for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    String name = e.getValueFrom().getSecretKeyRef().getName();
                    assertThat(secrets).as("env %s", e.getName()).contains(name);
                    all(objects, Secret.class).stream().filter(s -> s.getMetadata().getName().equals(name))
                            .forEach(s -> assertThat(s.getData()).as("env %s", e.getName())
                                    .containsKey(e.getValueFrom().getSecretKeyRef().getKey()));
                }
            }
        }
        String sa = pod.getServiceAccountName();
        assertThat(sa.equals("default") || names(objects, ServiceAccount.class).contains(sa)).as("ServiceAccount %s", sa).isTrue();
    }

    /**
     * Every StatefulSet: its governing Service exists, is headless and selects its pods (and no
     * gateway Service does); config maps, claims and Secrets its pods name exist.
     */
    private static void assertStatefulSetsFit(List<HasMetadata> objects, Set<String> existingSecrets) {
        Map<String, String> gatewayPods = one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        for (var sts : all(objects, io.fabric8.kubernetes.api.model.apps.StatefulSet.class)) {
            String name = sts.getMetadata().getName();
            Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).as("%s selector", name).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
            Service governing = named(objects, Service.class, sts.getSpec().getServiceName());
            assertThat(governing.getSpec().getClusterIP()).as("%s governing Service", name).isEqualTo("None");
            assertThat(podLabels).containsAllEntriesOf(governing.getSpec().getSelector());
            for (Service s : all(objects, Service.class)) {
                if (s != governing && podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet())) {
                    assertThat(gatewayPods.entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                            .as("Service %s selects %s's pods", s.getMetadata().getName(), name).isFalse();
                }
            }
            assertThat(gatewayPods.entrySet().containsAll(sts.getSpec().getSelector().getMatchLabels().entrySet()))
                    .as("%s selects gateway pods", name).isFalse();
            PodSpec pod = sts.getSpec().getTemplate().getSpec();
            Set<String> claims = sts.getSpec().getVolumeClaimTemplates() == null ? Set.of()
                    : sts.getSpec().getVolumeClaimTemplates().stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
            Set<String> volumes = new java.util.HashSet<>(claims);
            for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
                volumes.add(v.getName());
                if (v.getConfigMap() != null) {
                    assertThat(names(objects, ConfigMap.class)).as("%s volume %s", name, v.getName()).contains(v.getConfigMap().getName());
                }
            }
            Set<String> secrets = new java.util.HashSet<>(names(objects, Secret.class));
            secrets.addAll(existingSecrets);
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) containers.addAll(pod.getInitContainers());
            for (Container c : containers) {
                (c.getVolumeMounts() == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of() : c.getVolumeMounts())
                        .forEach(m -> assertThat(volumes).as("%s mount %s", name, m.getName()).contains(m.getName()));
                for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(secrets).as("%s env %s", name, e.getName()).contains(e.getValueFrom().getSecretKeyRef().getName());
                    }
                }
                for (var probe : java.util.Arrays.asList(c.getReadinessProbe(), c.getLivenessProbe())) {
                    if (probe != null && probe.getTcpSocket() != null) {
                        assertThat(c.getPorts()).extracting(ContainerPort::getName).contains(probe.getTcpSocket().getPort().getStrVal());
                    }
                }
            }
        }
    }

    private List<HasMetadata> render(String valuesYaml) throws IOException {
        Path file = Files.createTempFile(tmp, "values", ".yaml");
        Files.writeString(file, valuesYaml);
        String out = new Helm(CHART).template().withName("caravan").withNamespace("llm").withKubeVersion("1.30.0")
                .withValuesFile(file).call();
        List<HasMetadata> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(out)) {
            if (!(doc instanceof Map<?, ?>)) {
                continue;
            }
            JsonNode tree = JSON.valueToTree(doc);
            String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
            Class<? extends HasMetadata> model = KINDS.get(type);
            assertThat(model).as("a model class for %s (add it to KINDS)", type).isNotNull();
            HasMetadata object = STRICT.treeToValue(tree, model);
            assertThat(object.getMetadata().getName()).isNotBlank();
            objects.add(object);
        }
        return objects;
    }

    private static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList();
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertThat(found).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static Set<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> type) {
        return all(objects, type).stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }
}
