package dev.caravan.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code helm/caravan/values.schema.json} as Helm applies it (helm-java: the schema is checked by
 * {@code helm template} and {@code helm lint} before any template runs), the chart's refusal of
 * several replicas over the embedded broker, and the documentation of every value.
 */
class HelmValuesSchemaTest {

    private static final Path CHART = Path.of("helm", "caravan");
    private static final Path VALUES = CHART.resolve("values.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void defaultsPassTheSchemaRenderAndLint() {
        assertThat(CHART.resolve("values.schema.json")).exists();
        assertThat(template("")).contains("kind: Deployment");
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void wrongTypesAreRefused() {
        assertRefused("replicaCount: two\n", "/replicaCount", "got string, want integer");
        assertRefused("image:\n  tag: 1.0\n", "/image/tag", "got number, want string");
        assertRefused("apiKeys:\n  allowAnonymous: \"yes\"\n", "/apiKeys/allowAnonymous", "want boolean");
        assertRefused("engines:\n  - {id: a, url: http://a:8000, priorityScheduling: sometimes}\n", "/engines/0/priorityScheduling", "want boolean");
        assertRefused("router:\n  workflowSupport:\n    maxWorkflows: [1000]\n", "/router/workflowSupport/maxWorkflows", "got array, want integer");
        assertRefused("messageQueue:\n  maxQueueBytes: 10MB\n", "/messageQueue/maxQueueBytes", "want integer");
        assertRefused("extraEnv: {FOO: bar}\n", "/extraEnv", "got object, want array");
        assertRefused("engineDiscovery:\n  enabled: \"on\"\n", "/engineDiscovery/enabled", "want boolean");
        assertRefused("broker:\n  statefulset:\n    image: {tag: 2.40}\n", "/broker/statefulset/image/tag", "want string");
        assertRefused("engineDiscovery:\n  scheme: grpc\n", "/engineDiscovery/scheme", "value must be one of");
        assertRefused("engineDiscovery:\n  port: 70000\n", "/engineDiscovery/port", "maximum");
        assertRefused("engineDiscovery:\n  labelSelectr: app=vllm\n", "/engineDiscovery", "'labelSelectr' not allowed");
        assertRefused("management:\n  auth:\n    protectPrometheus: \"yes\"\n", "/management/auth/protectPrometheus", "want boolean");
        assertRefused("management:\n  auth:\n    password: 1234\n", "/management/auth/password", "got number, want string");
        assertRefused("tls:\n  broker:\n    needClientAuth: \"yes\"\n", "/tls/broker/needClientAuth", "want boolean");
        assertRefused("apiKeys:\n  adminKeys: sk-ops\n", "/apiKeys/adminKeys", "got string, want array");
    }

    @Test
    void valuesOutsideTheirSetOrRangeAreRefused() {
        assertRefused("broker:\n  mode: clustered\n", "/broker/mode", "value must be one of");
        assertRefused("router:\n  plainPolicy: prefix_awre\n", "/router/plainPolicy", "value must be one of");
        assertRefused("router:\n  workflowSupport:\n    routing:\n      strategy: fastest\n", "/router/workflowSupport/routing/strategy", "value must be one of");
        assertRefused("router:\n  workflowSupport:\n    routing:\n      batchingPreference: 1.5\n", "/router/workflowSupport/routing/batchingPreference", "maximum");
        assertRefused("image:\n  pullPolicy: Sometimes\n", "/image/pullPolicy", "value must be one of");
        assertRefused("service:\n  type: Ingress\n", "/service/type", "value must be one of");
        assertRefused("replicaCount: 0\n", "/replicaCount", "minimum");
        assertRefused("service:\n  port: 70000\n", "/service/port", "maximum");
        assertRefused("management:\n  port: 0\n", "/management/port", "minimum");
        assertRefused("broker:\n  embedded:\n    port: 65536\n", "/broker/embedded/port", "maximum");
        assertRefused("autoscaling:\n  enabled: true\n  minReplicas: 0\n", "/autoscaling/minReplicas", "minimum");
        assertRefused("engines:\n  - {id: a, url: vllm-a:8000}\n", "/engines/0/url", "does not match pattern");
        assertRefused("management:\n  auth:\n    username: \"ops:team\"\n", "/management/auth/username", "does not match pattern");
        assertRefused("management:\n  auth:\n    username: \"\"\n", "/management/auth/username", "minLength");
        assertRefused("tls:\n  broker:\n    keyStoreType: PEM\n", "/tls/broker/keyStoreType", "value must be one of");
        assertRefused("tls:\n  api:\n    clientAuth: required\n", "/tls/api/clientAuth", "value must be one of");
        assertRefused("tls:\n  api:\n    secretName: My_Secret\n", "/tls/api/secretName", "does not match pattern");
        assertRefused("apiKeys:\n  adminKeys: [\"a,b\"]\n", "/apiKeys/adminKeys/0", "does not match pattern");
    }

    @Test
    void misspeltKeysAreRefusedInEveryBlock() {
        assertRefused("replicas: 2\n", "", "'replicas' not allowed");
        assertRefused("image:\n  tags: v1\n", "/image", "'tags' not allowed");
        assertRefused("broker:\n  external:\n    uri: tcp://artemis:61616\n", "/broker/external", "'uri' not allowed");
        assertRefused("router:\n  workflowSupport:\n    maxWorkflow: 10\n", "/router/workflowSupport", "'maxWorkflow' not allowed");
        assertRefused("probes:\n  readiness:\n    periodSecond: 5\n", "/probes/readiness", "'periodSecond' not allowed");
        assertRefused("resources:\n  limit: {memory: 1Gi}\n", "/resources", "'limit' not allowed");
        assertRefused("engines:\n  - {id: a, url: http://a:8000, model: m}\n", "/engines/0", "'model' not allowed");
        assertRefused("engineClient:\n  scrapeIntervall: 2s\n", "/engineClient", "'scrapeIntervall' not allowed");
        assertRefused("management:\n  auth:\n    user: ops\n", "/management/auth", "'user' not allowed");
        assertRefused("tls:\n  api:\n    secret: caravan-tls\n", "/tls/api", "'secret' not allowed");
        assertRefused("tls:\n  mgmt: {secretName: x}\n", "/tls", "'mgmt' not allowed");
        // free-form blocks stay free-form
        assertThat(template("router:\n  routing: {saturationPerEngine: 32, balance-homes: true}\n"
                + "extraConfig: {logging: {level: {dev.caravan: DEBUG}}}\n")).contains("saturationPerEngine: 32");
    }

    @Test
    void lintRejectsABadDefaultThroughTheSchema() throws IOException {
        Path chart = copyChart();
        Path values = chart.resolve("values.yaml");
        Files.writeString(values, Files.readString(values).replace("replicaCount: 1", "replicaCount: \"two\""));
        LintResult lint = new Helm(chart).lint().call();
        assertThat(lint.isFailed()).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains("replicaCount");
    }

    /**
     * helm lint (strict) of every variant, not only the defaults: helm-java's lint takes no values
     * file, so each variant is linted as a copy of the chart whose values.yaml holds the defaults
     * with the variant merged in.
     */
    @Test
    void everyVariantLints() throws IOException {
        Map<String, String> variants = new java.util.LinkedHashMap<>();
        variants.put("embedded-everything", "broker: {embedded: {password: s3cret, service: {enabled: true}}}\n");
        variants.put("statefulset-broker", "replicaCount: 3\nbroker: {mode: statefulset, statefulset: {password: s3cret}}\n");
        variants.put("external-broker", "autoscaling: {enabled: true}\nbroker: {external: {url: \"tcp://artemis:61616\", password: x}}\n");
        variants.put("discovery", "engineDiscovery: {enabled: true, namespace: gpu, port: 8000}\n");
        variants.put("simulator-engines", "engineFleet: {simulator: {enabled: true, replicas: 3}}\n");
        variants.put("vllm-engines", HelmChartTest.VLLM_FLEET);
        variants.put("tls", HelmChartModelTest.TLS_EVERYWHERE);
        for (Map.Entry<String, String> v : variants.entrySet()) {
            Path chart = copyChart(v.getKey());
            Map<String, Object> values = new Yaml().load(Files.readString(VALUES));
            merge(values, new Yaml().load(v.getValue()));
            Files.writeString(chart.resolve("values.yaml"), new Yaml().dump(values));
            LintResult result = new Helm(chart).lint().strict().call();
            assertThat(result.isFailed()).as("helm lint --strict of %s: %s", v.getKey(), result.getMessages()).isFalse();
        }
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> into, Map<String, Object> from) {
        for (Map.Entry<String, Object> e : from.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> m && into.get(e.getKey()) instanceof Map<?, ?> base) {
                merge((Map<String, Object>) base, (Map<String, Object>) m);
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    @Test
    void embeddedBrokerRefusesMoreThanOneReplicaAndNamesTheWayOut() {
        assertThatThrownBy(() -> template("replicaCount: 2\nbroker: {mode: embedded}\n"))
                .hasMessageContaining("single-replica only")
                .hasMessageContaining("replicaCount=2")
                .hasMessageContaining("broker.mode=external")
                .hasMessageContaining("spring.artemis.mode=native")
                .hasMessageContaining("broker.external.url=tcp://<broker-host>:61616");
        assertThatThrownBy(() -> template("autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 4}\nbroker: {mode: embedded}\n"))
                .hasMessageContaining("single-replica only")
                .hasMessageContaining("autoscaling.maxReplicas=4");
        // an HPA that can never scale past one pod is still one replica
        assertThat(template("autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 1}\nbroker: {mode: embedded}\n"))
                .contains("kind: HorizontalPodAutoscaler").contains("mode: embedded");
        assertThatThrownBy(() -> template("autoscaling: {enabled: true, minReplicas: 4, maxReplicas: 2}\n"
                + "broker: {external: {url: tcp://artemis:61616}}\n"))
                .hasMessageContaining("autoscaling.maxReplicas (2) must be at least autoscaling.minReplicas (4)");
    }

    @Test
    void twoReplicasRenderWithAnExternalBroker() throws IOException {
        List<JsonNode> docs = docs(template("replicaCount: 2\nbroker:\n  external:\n    url: tcp://artemis.messaging.svc:61616\n"
                + "    existingSecret: artemis-credentials\nmanagement: {auth: {password: op-pw}}\n"));
        JsonNode deployment = kind(docs, "Deployment").get(0);
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
        JsonNode app = JSON.valueToTree(new Yaml().load(kind(docs, "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().equals("caravan-config")).findFirst().orElseThrow()
                .at("/data/application.yaml").asText()));
        assertThat(app.at("/spring/artemis/mode").asText()).isEqualTo("native");
        assertThat(app.at("/spring/artemis/broker-url").asText()).isEqualTo("tcp://artemis.messaging.svc:61616");
        assertThat(app.at("/caravan/routing/balance-homes").asBoolean(true)).isFalse();
        assertThat(kind(docs, "PersistentVolumeClaim")).isEmpty();
        assertThat(kind(docs, "PodDisruptionBudget")).hasSize(1);
    }

    /** helm-docs style: every value carries a "# --" comment, its own or its enclosing block's. */
    @Test
    void everyValueIsDocumentedAndTypedInTheSchema() throws IOException {
        List<String> lines = Files.readAllLines(VALUES);
        Pattern key = Pattern.compile("^( *)([A-Za-z_][A-Za-z0-9_]*):(.*)$");
        List<String> undocumented = new ArrayList<>();
        List<String> path = new ArrayList<>();
        List<Integer> indents = new ArrayList<>();
        List<Boolean> documented = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            Matcher m = key.matcher(lines.get(n));
            if (!m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
                path.remove(path.size() - 1);
                indents.remove(indents.size() - 1);
                documented.remove(documented.size() - 1);
            }
            boolean own = false;
            for (int c = n - 1; c >= 0 && lines.get(c).trim().startsWith("#"); c--) {
                own |= lines.get(c).trim().startsWith("# --");
            }
            boolean inherited = documented.contains(true);
            path.add(m.group(2));
            indents.add(indent);
            documented.add(own);
            String value = m.group(3).replaceAll("#.*", "").trim();
            boolean leaf = !value.isEmpty() || !nextKeyIsDeeper(lines, n, indent, key);
            if (leaf && !own && !inherited) {
                undocumented.add(String.join(".", path));
            }
        }
        assertThat(undocumented).as("values without a '# --' comment").isEmpty();

        JsonNode schema = JSON.readTree(CHART.resolve("values.schema.json").toFile());
        JsonNode values = JSON.valueToTree(new Yaml().load(Files.readString(VALUES)));
        List<String> untyped = new ArrayList<>();
        checkTyped(values, schema, "", untyped);
        assertThat(untyped).as("values the schema does not type and describe").isEmpty();
    }

    // --- helpers ---

    private static boolean nextKeyIsDeeper(List<String> lines, int n, int indent, Pattern key) {
        for (int c = n + 1; c < lines.size(); c++) {
            Matcher m = key.matcher(lines.get(c));
            if (m.matches()) {
                return m.group(1).length() > indent;
            }
        }
        return false;
    }

    /** Every key of values.yaml has a schema node with a type and a description, down to free-form blocks. */
    private static void checkTyped(JsonNode value, JsonNode schema, String where, List<String> untyped) {
        if (!where.isEmpty() && (!schema.has("type") || !schema.has("description"))) {
            untyped.add(where);
            return;
        }
        if (!value.isObject() || !schema.has("properties")) {
            return; // a scalar, a list, or a free-form map (its keys are not chart values)
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = where.isEmpty() ? e.getKey() : where + "." + e.getKey();
            JsonNode child = schema.at("/properties/" + e.getKey());
            if (child.isMissingNode()) {
                untyped.add(name);
            } else {
                checkTyped(e.getValue(), child, name, untyped);
            }
        }
    }

    /** Helm refuses the values with a schema error at {@code pointer} that says {@code why}. */
    private void assertRefused(String valuesYaml, String pointer, String why) {
        assertThatThrownBy(() -> template(valuesYaml))
                .as("values %s", valuesYaml)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("at '" + pointer + "'")
                .hasMessageContaining(why);
    }

    private String template(String valuesYaml) {
        try {
            Path file = Files.createTempFile(tmp, "values", ".yaml");
            Files.writeString(file, valuesYaml);
            return new Helm(CHART).template().withName("caravan").withNamespace("llm").withKubeVersion("1.30.0")
                    .withValuesFile(file).call();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path copyChart() throws IOException {
        return copyChart("caravan");
    }

    private Path copyChart(String name) throws IOException {
        Path target = tmp.resolve(name).resolve("caravan");
        try (Stream<Path> s = Files.walk(CHART, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = target.resolve(CHART.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    private static List<JsonNode> docs(String out) {
        List<JsonNode> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(out)) {
            if (doc instanceof Map<?, ?>) {
                docs.add(JSON.valueToTree(doc));
            }
        }
        return docs;
    }

    private static List<JsonNode> kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }
}
