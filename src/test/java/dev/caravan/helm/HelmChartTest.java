package dev.caravan.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders {@code helm/caravan} offline with helm-java (Helm 3 as a library) and checks
 * what an operator relies on: probes, the routes ConfigMap, engine ids, the broker rules.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "caravan");
    private static final Path ROUTES = Path.of("routes");
    private static final Path MULTI = Path.of("src", "test", "resources", "helm", "multi-replica-values.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lintPasses() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @Test
    void defaultValuesRenderOneReplicaWithEmbeddedBrokerOnAVolume() throws IOException {
        Rendered r = render(t -> t);
        JsonNode deployment = r.one("Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertProbes(container);
        assertThat(env(container, "JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
        assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();
        assertThat(ports(container)).containsEntry("http", 8080).containsEntry("management", 8081)
                .containsEntry("artemis", 61616);
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("true");
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1path").asText())
                .isEqualTo("/actuator/prometheus");

        JsonNode app = r.applicationYaml();
        assertThat(app.at("/spring/artemis/mode").asText()).isEqualTo("embedded");
        assertThat(app.at("/spring/artemis/embedded/persistent").asBoolean()).isTrue();
        assertThat(app.at("/caravan/messaging/data-dir").asText()).isEqualTo("/var/lib/caravan/broker");
        assertThat(app.at("/caravan/routes-dir").asText()).isEqualTo("/app/routes");
        assertThat(app.at("/management/endpoint/health/probes/enabled").asBoolean()).isTrue();
        assertThat(app.at("/management/endpoints/web/exposure/include").asText())
                .contains("prometheus", "hawtio", "jolokia");
        // The seed plan's workflowSupport block, under the application's property names.
        assertThat(app.at("/caravan/workflow-support/ttl").asText()).isEqualTo("3600s");
        assertThat(app.at("/caravan/workflow-support/max-workflows").asInt()).isEqualTo(1000);
        assertThat(app.at("/caravan/workflow-support/routing/strategy").asText()).isEqualTo("workflow_aware");
        assertThat(app.at("/caravan/routing/balance-homes").isMissingNode()).isTrue(); // one replica: the default (true)
        assertThat(app.at("/caravan/workflow-support/batching-preference").asDouble()).isEqualTo(0.8);
        assertThat(app.at("/caravan/workflow-support/cache-affinity-weight").asDouble()).isEqualTo(0.7);

        // Journal on a claim that survives uninstall, mounted at the data dir.
        JsonNode pvc = r.one("PersistentVolumeClaim");
        assertThat(pvc.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
        assertThat(mountPath(container, "broker-data")).isEqualTo("/var/lib/caravan/broker");
        assertThat(r.all("HorizontalPodAutoscaler")).isEmpty();
        assertThat(r.all("PodDisruptionBudget")).as("one replica: a PDB would block node drains").isEmpty();
        assertThat(r.all("ServiceMonitor")).isEmpty();
    }

    @Test
    void routesConfigMapHoldsEveryRouteFileMountedAtTheRoutesDir() throws IOException {
        Rendered r = render(t -> t);
        JsonNode data = r.named("ConfigMap", "caravan-routes").get("data");
        List<Path> files;
        try (Stream<Path> s = Files.list(ROUTES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertThat(data.has(name)).as("routes ConfigMap has %s", name).isTrue();
            assertThat(data.get(name).asText()).as(name).isEqualTo(Files.readString(f));
        }
        assertThat(data.size()).isEqualTo(files.size());
        JsonNode container = r.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(mountPath(container, "routes")).isEqualTo("/app/routes");
        assertThat(r.one("Deployment").at("/spec/template/metadata/annotations/checksum~1routes").asText()).isNotEmpty();
    }

    @Test
    void theSeedPlansMessageQueueBlockIsHonoured() throws IOException {
        // defaults: messaging on, no count bound
        Rendered defaults = render(t -> t);
        assertThat(defaults.named("ConfigMap", "caravan-routes").get("data").has("messages.camel.yaml")).isTrue();
        assertThat(defaults.applicationYaml().at("/caravan/messaging/max-queue-messages").isMissingNode()).isTrue();
        // maxQueueSize: a count bound per agent queue, beside the byte bound
        Rendered sized = render(t -> t.set("messageQueue.maxQueueSize", 1000));
        assertThat(sized.applicationYaml().at("/caravan/messaging/max-queue-messages").asLong()).isEqualTo(1000);
        assertThat(sized.applicationYaml().at("/caravan/messaging/max-queue-bytes").asLong()).isEqualTo(10485760);
        // the plan's place for the block (router.workflowSupport.messageQueue) works too, and wins
        Rendered plan = render(t -> t.set("messageQueue.maxQueueSize", 5)
                .set("router.workflowSupport.messageQueue.enabled", false)
                .set("router.workflowSupport.messageQueue.maxQueueSize", 200));
        assertThat(plan.applicationYaml().at("/caravan/messaging/max-queue-messages").asLong()).isEqualTo(200);
        // enabled: false leaves the messaging endpoints out; every other route stays
        JsonNode routes = plan.named("ConfigMap", "caravan-routes").get("data");
        assertThat(routes.has("messages.camel.yaml")).isFalse();
        assertThat(routes.has("openai.camel.yaml")).isTrue();
        assertThat(routes.has("workflows.camel.yaml")).isTrue();
        // refused by values.schema.json (minimum 1) before the template's own check
        assertThatThrownBy(() -> render(t -> t.set("messageQueue.maxQueueSize", 0)))
                .hasMessageContaining("/messageQueue/maxQueueSize").hasMessageContaining("minimum");
        assertThatThrownBy(() -> render(t -> t.set("router.workflowSupport.messageQueue.maxQueueSize", -1)))
                .hasMessageContaining("/router/workflowSupport/messageQueue/maxQueueSize");
    }

    @Test
    void multiReplicaUsesExternalBrokerAndRendersEngineIds() throws IOException {
        Rendered r = render(t -> t.withValuesFile(MULTI));
        JsonNode deployment = r.one("Deployment");
        assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
        assertThat(deployment.at("/spec/replicas").isMissingNode()).as("the HPA owns replicas").isTrue();
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertProbes(container);
        assertThat(ports(container)).doesNotContainKey("artemis");
        assertThat(mountPath(container, "broker-data")).isNull();
        assertThat(r.all("PersistentVolumeClaim")).isEmpty();
        assertThat(r.all("Secret")).as("credentials come from the existing Secret").isEmpty();
        assertThat(secretRef(container, "CARAVAN_BROKER_PASSWORD")).isEqualTo("artemis-credentials/password");
        assertThat(secretRef(container, "CARAVAN_ENGINE_0_API_KEY")).isEqualTo("vllm-keys/a0");

        JsonNode app = r.applicationYaml();
        assertThat(app.at("/spring/artemis/mode").asText()).isEqualTo("native");
        assertThat(app.at("/spring/artemis/broker-url").asText()).startsWith("(tcp://artemis-0.artemis:61616,");
        assertThat(app.at("/spring/artemis/password").asText()).isEqualTo("${CARAVAN_BROKER_PASSWORD:}");
        assertThat(app.at("/caravan/messaging/acceptor/enabled").asBoolean(true)).isFalse();

        JsonNode engines = app.at("/caravan/engines");
        assertThat(engines.size()).isEqualTo(2);
        assertThat(engines.get(0).get("id").asText()).isEqualTo("vllm-a0");
        assertThat(engines.get(0).get("url").asText()).isEqualTo("http://vllm-a0.vllm.svc:8000");
        assertThat(engines.get(0).get("priority-scheduling").asBoolean()).isTrue();
        assertThat(engines.get(0).get("api-key").asText()).isEqualTo("${CARAVAN_ENGINE_0_API_KEY}");
        assertThat(engines.get(0).at("/labels/zone").asText()).isEqualTo("a");
        assertThat(engines.get(0).get("kv-cache-tokens").asLong()).isEqualTo(438_464);
        assertThat(engines.get(1).get("id").asText()).isEqualTo("vllm-b0");
        assertThat(engines.get(1).has("kv-cache-tokens")).as("read from the engine's /metrics").isFalse();
        assertThat(app.at("/caravan/workflow-support/ttl").asText()).isEqualTo("1800s");
        assertThat(app.at("/caravan/workflow-support/routing/strategy").asText()).isEqualTo("kvaware");
        assertThat(app.at("/caravan/routing/saturationPerEngine").asInt()).isEqualTo(32);
        assertThat(app.at("/caravan/routing/plain-policy").asText()).isEqualTo("prefix-aware");
        // several replicas must agree on a workflow's first home without sharing state
        assertThat(app.at("/caravan/routing/balance-homes").asBoolean(true)).isFalse();

        assertThat(r.one("HorizontalPodAutoscaler").at("/spec/maxReplicas").asInt()).isEqualTo(8);
        assertThat(r.one("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertThat(r.one("ServiceMonitor").at("/spec/endpoints/0/path").asText()).isEqualTo("/actuator/prometheus");
        assertThat(r.all("Service")).extracting(s -> s.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("caravan", "caravan-management");
    }

    @Test
    void apiKeysComeFromASecretAndWithoutThemTheApiStaysClosedUnlessAnonymousIsAllowed() throws IOException {
        // defaults: no keys, so no Secret and no key variable; the gateway then refuses its 0.0.0.0 bind
        Rendered plain = render(t -> t);
        assertThat(plain.all("Secret")).noneMatch(s -> s.at("/metadata/name").asText().endsWith("-api-keys"));
        JsonNode container = plain.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(env(container, "CARAVAN_SECURITY_APIKEYS")).isNull();
        assertThat(plain.applicationYaml().at("/server/address").asText()).isEqualTo("0.0.0.0");
        assertThat(plain.applicationYaml().at("/caravan/security").isMissingNode()).isTrue();

        Rendered keyed = render(t -> t.set("apiKeys.keys[0]", "sk-one").set("apiKeys.keys[1]", "sk-two"));
        JsonNode secret = keyed.named("Secret", "caravan-api-keys");
        assertThat(new String(java.util.Base64.getDecoder().decode(secret.at("/data/api-keys").asText())))
                .isEqualTo("sk-one,sk-two");
        assertThat(secretRef(keyed.one("Deployment").at("/spec/template/spec/containers/0"), "CARAVAN_SECURITY_APIKEYS"))
                .isEqualTo("caravan-api-keys/api-keys");
        assertThat(keyed.named("ConfigMap", "caravan-config").toString()).doesNotContain("sk-one");

        Rendered existing = render(t -> t.set("apiKeys.existingSecret", "llm-keys").set("apiKeys.existingSecretKey", "keys"));
        assertThat(existing.all("Secret")).noneMatch(s -> s.at("/metadata/name").asText().endsWith("-api-keys"));
        assertThat(secretRef(existing.one("Deployment").at("/spec/template/spec/containers/0"), "CARAVAN_SECURITY_APIKEYS"))
                .isEqualTo("llm-keys/keys");

        Rendered open = render(t -> t.set("apiKeys.allowAnonymous", true));
        assertThat(open.applicationYaml().at("/caravan/security/allow-anonymous").asBoolean()).isTrue();
    }

    @Test
    void adminKeysComeFromTheSameSecretAndBindToTheGatewaysProperty() throws IOException {
        Rendered both = render(t -> t.set("apiKeys.keys[0]", "sk-one").set("apiKeys.adminKeys[0]", "sk-ops").set("apiKeys.adminKeys[1]", "sk-ops2"));
        JsonNode secret = both.named("Secret", "caravan-api-keys");
        assertThat(decode(secret.at("/data/api-keys").asText())).isEqualTo("sk-one");
        assertThat(decode(secret.at("/data/admin-keys").asText())).isEqualTo("sk-ops,sk-ops2");
        JsonNode container = both.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(secretRef(container, "CARAVAN_SECURITY_APIKEYS")).isEqualTo("caravan-api-keys/api-keys");
        assertThat(secretRef(container, "CARAVAN_SECURITY_ADMINKEYS")).isEqualTo("caravan-api-keys/admin-keys");
        assertThat(both.named("ConfigMap", "caravan-config").toString()).doesNotContain("sk-ops");
        var env = new org.springframework.core.env.SystemEnvironmentPropertySource("systemEnvironment", Map.of(
                "CARAVAN_SECURITY_APIKEYS", decode(secret.at("/data/api-keys").asText()),
                "CARAVAN_SECURITY_ADMINKEYS", decode(secret.at("/data/admin-keys").asText())));
        var bound = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(env))
                .bind("caravan.security", dev.caravan.http.ApiSecurityProperties.class).get();
        assertThat(bound.getApiKeys()).containsExactly("sk-one");
        assertThat(bound.getAdminKeys()).containsExactly("sk-ops", "sk-ops2");

        // admin keys alone close the API too: the Secret has only them, no api-keys variable to a missing key
        Rendered adminOnly = render(t -> t.set("apiKeys.adminKeys[0]", "sk-ops"));
        assertThat(adminOnly.named("Secret", "caravan-api-keys").at("/data/api-keys").isMissingNode()).isTrue();
        JsonNode adminContainer = adminOnly.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(secretRef(adminContainer, "CARAVAN_SECURITY_APIKEYS")).isNull();
        assertThat(secretRef(adminContainer, "CARAVAN_SECURITY_ADMINKEYS")).isEqualTo("caravan-api-keys/admin-keys");

        // an existing Secret: its admin key is optional (a Secret without it gives no admin keys)
        Rendered existing = render(t -> t.set("apiKeys.existingSecret", "llm-keys").set("apiKeys.existingSecretAdminKey", "ops"));
        JsonNode ref = envVar(existing.one("Deployment").at("/spec/template/spec/containers/0"), "CARAVAN_SECURITY_ADMINKEYS")
                .at("/valueFrom/secretKeyRef");
        assertThat(ref.get("name").asText() + "/" + ref.get("key").asText()).isEqualTo("llm-keys/ops");
        assertThat(ref.get("optional").asBoolean()).isTrue();
        assertThat(existing.all("Secret")).noneMatch(x -> x.at("/metadata/name").asText().endsWith("-api-keys"));
    }

    @Test
    void tlsSecretsAreMountedAsTheGatewaysSslSettingsAndProbesAndScrapesUseHttps() throws IOException {
        Rendered r = render(t -> t.set("tls.api.secretName", "caravan-tls").set("tls.management.secretName", "caravan-mgmt-tls")
                .set("tls.broker.secretName", "caravan-broker-tls").set("tls.broker.passwordSecretName", "caravan-broker-pw")
                .set("tls.broker.needClientAuth", true).set("metrics.serviceMonitor.enabled", true)
                .set("metrics.serviceMonitor.tlsConfig.serverName", "caravan-management.llm.svc")
                .set("metrics.serviceMonitor.tlsConfig.ca.secret.name", "caravan-mgmt-tls")
                .set("metrics.serviceMonitor.tlsConfig.ca.secret.key", "ca.crt"));
        JsonNode deployment = r.one("Deployment");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(container.at("/livenessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(container.at("/startupProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(mountPath(container, "tls-api")).isEqualTo("/etc/caravan-tls/api");
        assertThat(mountPath(container, "tls-management")).isEqualTo("/etc/caravan-tls/management");
        assertThat(mountPath(container, "tls-broker")).isEqualTo("/etc/caravan-tls/broker");
        Map<String, String> secretVolumes = new java.util.HashMap<>();
        deployment.at("/spec/template/spec/volumes").forEach(v -> {
            if (v.has("secret")) {
                secretVolumes.put(v.get("name").asText(), v.at("/secret/secretName").asText());
            }
        });
        assertThat(secretVolumes).containsEntry("tls-api", "caravan-tls").containsEntry("tls-management", "caravan-mgmt-tls")
                .containsEntry("tls-broker", "caravan-broker-tls");
        assertThat(secretRef(container, "CARAVAN_BROKER_TLS_PASSWORD")).isEqualTo("caravan-broker-pw/password");
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scheme").asText()).isEqualTo("https");

        JsonNode app = r.applicationYaml();
        assertThat(app.at("/server/ssl/bundle").asText()).isEqualTo("caravan-api");
        assertThat(app.at("/management/server/ssl/bundle").asText()).isEqualTo("caravan-management");
        assertThat(app.at("/spring/ssl/bundle/pem/caravan-api/keystore/certificate").asText()).isEqualTo("file:/etc/caravan-tls/api/tls.crt");
        assertThat(app.at("/spring/ssl/bundle/pem/caravan-api/keystore/private-key").asText()).isEqualTo("file:/etc/caravan-tls/api/tls.key");
        assertThat(app.at("/spring/ssl/bundle/pem/caravan-management/keystore/certificate").asText())
                .isEqualTo("file:/etc/caravan-tls/management/tls.crt");
        JsonNode acceptorTls = app.at("/caravan/messaging/acceptor/tls");
        assertThat(acceptorTls.at("/enabled").asBoolean()).isTrue();
        assertThat(acceptorTls.at("/key-store").asText()).isEqualTo("/etc/caravan-tls/broker/keystore.p12");
        assertThat(acceptorTls.at("/key-store-type").asText()).isEqualTo("PKCS12");
        assertThat(acceptorTls.at("/key-store-password").asText()).isEqualTo("${CARAVAN_BROKER_TLS_PASSWORD}");
        assertThat(acceptorTls.at("/need-client-auth").asBoolean()).isTrue();
        assertThat(acceptorTls.at("/trust-store").asText()).isEqualTo("/etc/caravan-tls/broker/truststore.p12");

        JsonNode endpoint = r.one("ServiceMonitor").at("/spec/endpoints/0");
        assertThat(endpoint.at("/scheme").asText()).isEqualTo("https");
        assertThat(endpoint.at("/tlsConfig/serverName").asText()).isEqualTo("caravan-management.llm.svc");
        assertThat(endpoint.at("/tlsConfig/ca/secret/key").asText()).isEqualTo("ca.crt");

        // defaults: plain HTTP everywhere, nothing mounted
        Rendered plain = render(t -> t.set("metrics.serviceMonitor.enabled", true));
        JsonNode plainContainer = plain.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(plainContainer.at("/readinessProbe/httpGet/scheme").isMissingNode()).isTrue();
        assertThat(plainContainer.at("/livenessProbe/httpGet/scheme").isMissingNode()).isTrue();
        assertThat(mountPath(plainContainer, "tls-api")).isNull();
        assertThat(plain.applicationYaml().at("/server/ssl").isMissingNode()).isTrue();
        assertThat(plain.applicationYaml().at("/spring/ssl").isMissingNode()).isTrue();
        assertThat(plain.applicationYaml().at("/caravan/messaging/acceptor/tls").isMissingNode()).isTrue();
        assertThat(plain.one("ServiceMonitor").at("/spec/endpoints/0/scheme").isMissingNode()).isTrue();

        // only the API on TLS: the management probes stay on HTTP; the broker password defaults to the key store's Secret
        Rendered apiOnly = render(t -> t.set("tls.api.secretName", "caravan-tls").set("tls.broker.secretName", "broker-tls"));
        JsonNode apiContainer = apiOnly.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(apiContainer.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(apiContainer.at("/livenessProbe/httpGet/scheme").isMissingNode()).isTrue();
        assertThat(apiOnly.applicationYaml().at("/management/server/ssl").isMissingNode()).isTrue();
        assertThat(secretRef(apiContainer, "CARAVAN_BROKER_TLS_PASSWORD")).isEqualTo("broker-tls/password");
        assertThat(apiOnly.applicationYaml().at("/caravan/messaging/acceptor/tls/trust-store").isMissingNode()).isTrue();
        assertThat(apiOnly.applicationYaml().at("/server/ssl/client-auth").isMissingNode()).isTrue();
        assertThat(apiOnly.applicationYaml().at("/spring/ssl/bundle/pem/caravan-api/truststore").isMissingNode()).isTrue();

        // mutual TLS: the Secret's ca.crt is the trust store, client-auth as asked, per port
        Rendered mutual = render(t -> t.set("tls.api.secretName", "caravan-tls").set("tls.api.clientAuth", "need")
                .set("tls.management.secretName", "caravan-tls").set("tls.management.clientAuth", "want"));
        assertThatThrownBy(() -> render(t -> t.set("tls.management.secretName", "caravan-tls").set("tls.management.clientAuth", "need")))
                .hasMessageContaining("would refuse the kubelet's liveness and startup probes");
        JsonNode mutualApp = mutual.applicationYaml();
        assertThat(mutualApp.at("/server/ssl/client-auth").asText()).isEqualTo("need");
        assertThat(mutualApp.at("/spring/ssl/bundle/pem/caravan-api/truststore/certificate").asText())
                .isEqualTo("file:/etc/caravan-tls/api/ca.crt");
        assertThat(mutualApp.at("/management/server/ssl/client-auth").asText()).isEqualTo("want");
        assertThat(mutualApp.at("/spring/ssl/bundle/pem/caravan-management/truststore/certificate").asText())
                .isEqualTo("file:/etc/caravan-tls/management/ca.crt");
        String text = mutual.named("ConfigMap", "caravan-config").at("/data/application.yaml").asText();
        var sources = new org.springframework.boot.env.YamlPropertySourceLoader()
                .load("chart", new org.springframework.core.io.ByteArrayResource(text.getBytes()));
        var binder = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(sources));
        var ssl = binder.bind("server.ssl", org.springframework.boot.web.server.Ssl.class).get();
        assertThat(ssl.getBundle()).isEqualTo("caravan-api");
        assertThat(ssl.getClientAuth()).isEqualTo(org.springframework.boot.web.server.Ssl.ClientAuth.NEED);
        var pem = binder.bind("spring.ssl.bundle.pem.caravan-api",
                org.springframework.boot.autoconfigure.ssl.PemSslBundleProperties.class).get();
        assertThat(pem.getKeystore().getCertificate()).isEqualTo("file:/etc/caravan-tls/api/tls.crt");
        assertThat(pem.getKeystore().getPrivateKey()).isEqualTo("file:/etc/caravan-tls/api/tls.key");
        assertThat(pem.getTruststore().getCertificate()).isEqualTo("file:/etc/caravan-tls/api/ca.crt");
    }

    @Test
    void brokerTlsIsRefusedWhereTheGatewayHasNoAcceptor() {
        assertThatThrownBy(() -> render(t -> t.set("broker.mode", "external").set("broker.external.url", "tcp://artemis:61616")
                .set("tls.broker.secretName", "broker-tls")))
                .hasMessageContaining("tls.broker.secretName secures the embedded broker's acceptor");
    }

    @Test
    void brokerLoginsFromAJaasModuleMountTheLoginConfigurationAndNameItsDomain() throws IOException {
        JsonNode plain = render(t -> t).one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(env(plain, "CARAVAN_MESSAGING_JAAS_DOMAIN")).isNull();
        Rendered r = render(t -> t.set("broker.embedded.jaas.domain", "caravan-agents").set("broker.embedded.jaas.secretName", "agents-ldap"));
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(env(container, "CARAVAN_MESSAGING_JAAS_DOMAIN")).isEqualTo("caravan-agents");
        assertThat(env(container, "CARAVAN_MESSAGING_JAAS_LOGINCONFIG")).isEqualTo("/etc/caravan-jaas/login.config");
        assertThat(container.get("volumeMounts")).anyMatch(m -> m.get("name").asText().equals("broker-jaas")
                && m.get("mountPath").asText().equals("/etc/caravan-jaas") && m.get("readOnly").asBoolean());
        assertThat(pod.get("volumes")).anyMatch(v -> v.get("name").asText().equals("broker-jaas")
                && v.at("/secret/secretName").asText().equals("agents-ldap"));
        assertThatThrownBy(() -> render(t -> t.set("broker.mode", "external").set("broker.external.url", "tcp://artemis:61616")
                .set("broker.embedded.jaas.domain", "caravan-agents")))
                .hasMessageContaining("broker.embedded.jaas sets the embedded broker's logins");
        assertThatThrownBy(() -> render(t -> t.set("broker.embedded.jaas.secretName", "agents-ldap")))
                .hasMessageContaining("needs broker.embedded.jaas.domain");
    }

    @Test
    void theManagementLoginComesFromASecretAndAProtectedPrometheusIsScrapedWithBasicAuth() throws IOException {
        // defaults: no Secret, no variable: the gateway generates a password and logs it; Prometheus stays open
        Rendered plain = render(t -> t.set("metrics.serviceMonitor.enabled", true));
        assertThat(plain.all("Secret")).noneMatch(x -> x.at("/metadata/name").asText().startsWith("caravan-management"));
        JsonNode container = plain.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(env(container, "CARAVAN_MANAGEMENT_USERNAME")).isEqualTo("admin");
        assertThat(env(container, "CARAVAN_MANAGEMENT_PASSWORD")).isNull();
        assertThat(secretRef(container, "CARAVAN_MANAGEMENT_PASSWORD")).isNull();
        assertThat(env(container, "CARAVAN_MANAGEMENT_PROTECTPROMETHEUS")).isEqualTo("false");
        assertThat(plain.one("ServiceMonitor").at("/spec/endpoints/0/basicAuth").isMissingNode()).isTrue();
        assertThat(plain.one("Deployment").at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("true");
        assertThat(plain.applicationYaml().at("/hawtio/authenticationEnabled").asBoolean()).isTrue();
        // where one generated password per pod cannot work, the chart says so
        assertThatThrownBy(() -> render(t -> t.set("replicaCount", 2).set("broker.external.url", "tcp://artemis:61616")))
                .hasMessageContaining("management.auth.password or management.auth.existingSecret is required with more than one replica");
        assertThatThrownBy(() -> render(t -> t.set("management.auth.protectPrometheus", true).set("metrics.serviceMonitor.enabled", true)))
                .hasMessageContaining("for the ServiceMonitor to scrape a protected Prometheus");

        // a given password (plain or {bcrypt}) goes into the Secret, never into the ConfigMap
        Rendered given = render(t -> t.set("management.auth.username", "ops").set("management.auth.password", "{bcrypt}$2a$10$abc")
                .set("management.auth.protectPrometheus", true).set("metrics.serviceMonitor.enabled", true));
        JsonNode givenSecret = given.named("Secret", "caravan-management");
        assertThat(decode(givenSecret.at("/data/password").asText())).isEqualTo("{bcrypt}$2a$10$abc");
        assertThat(givenSecret.at("/metadata/annotations").isMissingNode()).as("a plain release resource").isTrue();
        assertThat(given.named("ConfigMap", "caravan-config").toString()).doesNotContain("$2a$10$abc");
        JsonNode givenContainer = given.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(env(givenContainer, "CARAVAN_MANAGEMENT_USERNAME")).isEqualTo("ops");
        assertThat(env(givenContainer, "CARAVAN_MANAGEMENT_PROTECTPROMETHEUS")).isEqualTo("true");
        // the variables bind to the gateway's properties the way Spring reads the environment
        var env = new org.springframework.core.env.SystemEnvironmentPropertySource("systemEnvironment", Map.of(
                "CARAVAN_MANAGEMENT_USERNAME", env(givenContainer, "CARAVAN_MANAGEMENT_USERNAME"),
                "CARAVAN_MANAGEMENT_PASSWORD", "from-the-secret",
                "CARAVAN_MANAGEMENT_PROTECTPROMETHEUS", env(givenContainer, "CARAVAN_MANAGEMENT_PROTECTPROMETHEUS")));
        var bound = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(env))
                .bind("caravan.management", dev.caravan.http.management.ManagementSecurityProperties.class).get();
        assertThat(bound.getUsername()).isEqualTo("ops");
        assertThat(bound.getPassword()).isEqualTo("from-the-secret");
        assertThat(bound.isProtectPrometheus()).isTrue();
        JsonNode basicAuth = given.one("ServiceMonitor").at("/spec/endpoints/0/basicAuth");
        assertThat(basicAuth.at("/username/name").asText()).isEqualTo("caravan-management");
        assertThat(basicAuth.at("/username/key").asText()).isEqualTo("username");
        assertThat(basicAuth.at("/password/key").asText()).isEqualTo("password");
        assertThat(given.one("Deployment").at("/spec/template/metadata/annotations/prometheus.io~1scrape").isMissingNode())
                .as("annotation scrapers carry no credentials").isTrue();

        // an existing Secret: no chart Secret, its keys for the gateway and the ServiceMonitor
        Rendered existing = render(t -> t.set("management.auth.existingSecret", "ops-login").set("management.auth.existingSecretKey", "pw")
                .set("management.auth.existingSecretUsernameKey", "user").set("management.auth.protectPrometheus", true)
                .set("metrics.serviceMonitor.enabled", true));
        assertThat(existing.all("Secret")).noneMatch(x -> x.at("/metadata/name").asText().startsWith("caravan-management"));
        assertThat(secretRef(existing.one("Deployment").at("/spec/template/spec/containers/0"), "CARAVAN_MANAGEMENT_PASSWORD"))
                .isEqualTo("ops-login/pw");
        JsonNode existingAuth = existing.one("ServiceMonitor").at("/spec/endpoints/0/basicAuth");
        assertThat(existingAuth.at("/username/name").asText() + "/" + existingAuth.at("/username/key").asText()).isEqualTo("ops-login/user");
        assertThat(existingAuth.at("/password/name").asText() + "/" + existingAuth.at("/password/key").asText()).isEqualTo("ops-login/pw");
    }

    private static String decode(String base64) {
        return new String(java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void grafanaDashboardIsAConfigMapWithTheSidecarLabelWhenAskedFor() throws IOException {
        assertThat(render(t -> t).all("ConfigMap")).noneMatch(c -> c.at("/metadata/name").asText().endsWith("-dashboard"));
        Rendered r = render(t -> t.set("metrics.grafanaDashboard.enabled", true)
                .set("metrics.grafanaDashboard.annotations.grafana_folder", "LLM"));
        JsonNode cm = r.named("ConfigMap", "caravan-dashboard");
        assertThat(cm.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(cm.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("LLM");
        JsonNode dashboard = JSON.readTree(cm.at("/data/caravan.json").asText());
        assertThat(dashboard).isEqualTo(JSON.readTree(Files.readString(Path.of("docs", "grafana", "caravan.json"))));
        assertThat(dashboard.get("uid").asText()).isEqualTo("caravan-gateway");
    }

    @Test
    void alertsReadSeriesTheGatewayExportsFromThisReleaseOnly() throws IOException {
        assertThat(render(t -> t).all("PrometheusRule")).isEmpty();
        Rendered r = render(t -> t.set("metrics.serviceMonitor.enabled", true).set("metrics.prometheusRule.enabled", true)
                .set("metrics.prometheusRule.ttftP95Seconds", 7));
        JsonNode rules = r.one("PrometheusRule").at("/spec/groups/0/rules");
        List<String> alerts = new ArrayList<>();
        String metrics = Files.readString(Path.of("docs", "metrics.md"));
        for (JsonNode rule : rules) {
            alerts.add(rule.get("alert").asText());
            String expr = rule.get("expr").asText();
            assertThat(expr).as(rule.get("alert").asText()).contains("namespace=\"llm\",service=\"caravan-management\"");
            Matcher m = Pattern.compile("caravan_[a-z_]+").matcher(expr);
            assertThat(m.find()).as(expr).isTrue();
            do {
                // every series an alert reads is one the gateway exports, as the metrics table lists them
                String series = m.group().replaceAll("_bucket$", "");
                assertThat(metrics).as("docs/metrics.md lists %s", series).contains("`" + series);
            } while (m.find());
        }
        assertThat(alerts).contains("CaravanNoHealthyEngine", "CaravanEngineDown", "CaravanRequestsRejected",
                "CaravanServerErrors", "CaravanSlowFirstToken", "CaravanDeadLetters");
        assertThat(rules.toString()).contains("> 7");
        assertThatThrownBy(() -> render(t -> t.set("metrics.prometheusRule.enabled", true)))
                .hasMessageContaining("metrics.serviceMonitor.enabled");
    }

    @Test
    void embeddedBrokerWithMoreThanOneReplicaFails() {
        assertThatThrownBy(() -> render(t -> t.set("replicaCount", 2).set("broker.mode", "embedded")))
                .hasMessageContaining("broker.mode=embedded")
                .hasMessageContaining("split");
        assertThatThrownBy(() -> render(t -> t.set("autoscaling.enabled", true).set("broker.mode", "embedded")))
                .hasMessageContaining("broker.mode=embedded");
    }

    @Test
    void moreThanOneReplicaDefaultsToExternalBrokerAndNeedsItsUrl() {
        assertThatThrownBy(() -> render(t -> t.set("replicaCount", 2)))
                .hasMessageContaining("broker.external.url");
    }

    @Test
    void enginesNeedStableUniqueIds() {
        assertThatThrownBy(() -> render(t -> t.set("engines[0].url", "http://vllm-0:8000")))
                .hasMessageContaining("has no id");
        assertThatThrownBy(() -> render(t -> t
                .set("engines[0].url", "http://vllm-0:8000").set("engines[0].id", "e")
                .set("engines[1].url", "http://vllm-1:8000").set("engines[1].id", "e")))
                .hasMessageContaining("duplicate engine id");
    }

    @Test
    void liveReloadCopiesRoutesIntoAWritableDirectory() throws IOException {
        Rendered r = render(t -> t.set("routes.liveReload.enabled", true)
                .set("routes.files.extra\\.camel\\.yaml", "- route: {id: extra}"));
        JsonNode spec = r.one("Deployment").at("/spec/template/spec");
        assertThat(spec.at("/initContainers/0/name").asText()).isEqualTo("routes-init");
        assertThat(spec.get("containers")).extracting(c -> c.get("name").asText()).containsExactly("caravan", "routes-sync");
        assertThat(r.one("Deployment").at("/spec/template/metadata/annotations/checksum~1routes").isMissingNode()).isTrue();
        assertThat(r.named("ConfigMap", "caravan-routes").at("/data/extra.camel.yaml").asText()).isEqualTo("- route: {id: extra}");
    }

    static final String VLLM_FLEET = """
            engineFleet:
              vllm:
                - name: llama-8b
                  model: meta-llama/Llama-3.1-8B-Instruct
                  image: {repository: vllm/vllm-openai, tag: v0.11.0}
                  replicas: 2
                  gpus: 1
                  resources: {requests: {cpu: "4", memory: 32Gi}, limits: {memory: 48Gi}}
                  prefixCaching: true
                  kvEvents: true
                  priorityScheduling: true
                  extraArgs: [--max-model-len=32768]
                  hfTokenSecret: {name: hf, key: token}
                  cacheSize: 100Gi
                  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
                - name: qwen
                  model: Qwen/Qwen2.5-7B-Instruct
                  servedModelName: qwen
                  image: {repository: vllm/vllm-openai, tag: v0.11.0}
            """;

    @Test
    void vllmEnginesAreStatefulSetsThatDiscoveryFinds() throws IOException {
        Path values = Files.createTempFile("fleet", ".yaml");
        Files.writeString(values, VLLM_FLEET);
        Rendered r = render(t -> t.withValuesFile(values));
        JsonNode llama = r.named("StatefulSet", "caravan-llama-8b");
        assertThat(llama.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(llama.at("/spec/serviceName").asText()).isEqualTo("caravan-llama-8b");
        assertThat(r.named("Service", "caravan-llama-8b").at("/spec/clusterIP").asText()).isEqualTo("None");
        JsonNode meta = llama.at("/spec/template/metadata");
        assertThat(meta.at("/labels/caravan.dev~1engine").asText()).isEqualTo("true");
        assertThat(meta.at("/annotations/caravan.dev~1model").asText()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(meta.at("/annotations/caravan.dev~1priority-scheduling").asText()).isEqualTo("true");
        JsonNode c = llama.at("/spec/template/spec/containers/0");
        List<String> args = new java.util.ArrayList<>();
        c.get("args").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("meta-llama/Llama-3.1-8B-Instruct").contains("--port=8000", "--enable-prefix-caching",
                "--scheduling-policy=priority", "--max-model-len=32768",
                "--served-model-name=meta-llama/Llama-3.1-8B-Instruct");
        assertThat(args).anyMatch(a -> a.startsWith("--kv-events-config={\"enable_kv_cache_events\":true"));
        assertThat(c.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("48Gi");
        assertThat(ports(c)).containsEntry("http", 8000).containsEntry("kv-events", 5557);
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
        assertThat(secretRef(c, "HF_TOKEN")).isEqualTo("hf/token");
        assertThat(llama.at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText()).isEqualTo("100Gi");
        JsonNode qwen = r.named("StatefulSet", "caravan-qwen");
        assertThat(qwen.at("/spec/template/metadata/annotations/caravan.dev~1model").asText()).isEqualTo("qwen");
        assertThat(qwen.at("/spec/template/spec/containers/0/resources").isMissingNode()).isTrue();
        assertThat(qwen.at("/spec/template/metadata/annotations/caravan.dev~1priority-scheduling").isMissingNode()).isTrue();

        // discovery is on by itself and selects these pods; no simulated engines in the gateway
        JsonNode k8s = r.applicationYaml().at("/caravan/engine-discovery/kubernetes");
        assertThat(k8s.get("enabled").asBoolean()).isTrue();
        assertThat(k8s.get("namespace").asText()).isEqualTo("llm");
        String[] selector = k8s.get("label-selector").asText().split("=");
        assertThat(meta.at("/labels").get(selector[0]).asText()).isEqualTo(selector[1]);
        assertThat(r.one("Role").at("/rules/0/verbs")).extracting(JsonNode::asText).containsExactly("get", "list", "watch");
        // the gateway's Service does not select engine pods
        JsonNode gatewaySelector = r.named("Service", "caravan").at("/spec/selector");
        assertThat(meta.at("/labels/app.kubernetes.io~1name").asText())
                .isNotEqualTo(gatewaySelector.get("app.kubernetes.io/name").asText());
    }

    @Test
    void simulatorEnginesRunTheGatewayImagesSimulatorMain() throws IOException {
        Rendered r = render(t -> t.set("engineFleet.simulator.enabled", true).set("engineFleet.simulator.replicas", 3)
                .set("image.tag", "1.2.3"));
        JsonNode sim = r.named("StatefulSet", "caravan-sim");
        assertThat(sim.at("/spec/replicas").asInt()).isEqualTo(3);
        JsonNode c = sim.at("/spec/template/spec/containers/0");
        assertThat(c.at("/image").asText()).isEqualTo("caravan:1.2.3");
        assertThat(c.get("args")).extracting(JsonNode::asText).containsExactly("simulate", "--host=0.0.0.0", "--port=8000",
                "--model=meta-llama/Llama-3.1-8B-Instruct");
        assertThat(c.at("/command").isMissingNode()).as("the image's java -jar caravan.jar").isTrue();
        assertThat(c.at("/resources/limits/nvidia.com~1gpu").isMissingNode()).isTrue();
        assertThat(sim.at("/spec/template/metadata/annotations/caravan.dev~1model").asText()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(r.applicationYaml().at("/caravan/engine-discovery/kubernetes/enabled").asBoolean()).isTrue();
        assertThat(render(t -> t).all("StatefulSet")).isEmpty();
    }

    @Test
    void vllmEnginesNeedANameAndAModel() {
        assertThatThrownBy(() -> render(t -> t.set("engineFleet.vllm[0].model", "m")
                .set("engineFleet.vllm[0].image.repository", "vllm/vllm-openai").set("engineFleet.vllm[0].image.tag", "v1")))
                .hasMessageContaining("name");
    }

    @Test
    void statefulSetBrokerIsOneArtemisPodThatEveryGatewayReplicaUses() throws IOException {
        Rendered r = render(t -> t.set("replicaCount", 3).set("broker.mode", "statefulset")
                .set("broker.statefulset.password", "s3cret").set("management.auth.password", "op-pw"));
        JsonNode sts = r.one("StatefulSet");
        assertThat(sts.at("/metadata/name").asText()).isEqualTo("caravan-artemis");
        assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(1);
        JsonNode headless = r.named("Service", "caravan-artemis");
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(sts.at("/spec/serviceName").asText()).isEqualTo("caravan-artemis");
        // the broker pod is not a gateway pod: no gateway Service selects it
        JsonNode brokerPodLabels = sts.at("/spec/template/metadata/labels");
        JsonNode gatewaySelector = r.named("Service", "caravan").at("/spec/selector");
        assertThat(brokerPodLabels.get("app.kubernetes.io/name").asText())
                .isNotEqualTo(gatewaySelector.get("app.kubernetes.io/name").asText());
        // journal on a claim per pod
        JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
        assertThat(claim.at("/metadata/name").asText()).isEqualTo("data");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("10Gi");
        JsonNode broker = sts.at("/spec/template/spec/containers/0");
        assertThat(mountPath(broker, "data")).isEqualTo("/var/lib/artemis-instance");
        assertThat(broker.at("/image").asText()).isEqualTo("apache/activemq-artemis:2.40.0");
        // broker.xml: the file the repository keeps for external brokers, byte for byte
        String xml = r.named("ConfigMap", "caravan-artemis-config").at("/data/broker.xml").asText();
        assertThat(xml.strip()).isEqualTo(Files.readString(Path.of("broker", "external-broker-example.xml")).strip());
        // credentials from the chart's broker Secret, for the broker and the gateways alike
        JsonNode init = sts.at("/spec/template/spec/initContainers/0");
        assertThat(secretRef(init, "ARTEMIS_PASSWORD")).isEqualTo("caravan-broker/password");
        assertThat(secretRef(broker, "ARTEMIS_USER")).isEqualTo("caravan-broker/user");
        assertThat(init.at("/args/0").asText()).contains("artemis-roles.properties", "gateway = ");
        JsonNode secret = r.named("Secret", "caravan-broker");
        assertThat(new String(java.util.Base64.getDecoder().decode(secret.at("/data/password").asText()))).isEqualTo("s3cret");

        JsonNode gateway = r.one("Deployment").at("/spec/template/spec/containers/0");
        assertThat(secretRef(gateway, "CARAVAN_BROKER_PASSWORD")).isEqualTo("caravan-broker/password");
        assertThat(ports(gateway)).doesNotContainKey("artemis");
        assertThat(r.all("PersistentVolumeClaim")).as("no gateway journal").isEmpty();
        JsonNode app = r.applicationYaml();
        assertThat(app.at("/spring/artemis/mode").asText()).isEqualTo("native");
        assertThat(app.at("/spring/artemis/broker-url").asText())
                .isEqualTo("tcp://caravan-artemis-0.caravan-artemis.llm.svc:61616?reconnectAttempts=-1");
        assertThat(app.at("/spring/artemis/user").asText()).isEqualTo("${CARAVAN_BROKER_USER}");
        assertThat(app.at("/caravan/messaging/acceptor/enabled").asBoolean(true)).isFalse();
        assertThat(app.at("/caravan/routing/balance-homes").asBoolean(true)).isFalse();

        Rendered existing = render(t -> t.set("broker.mode", "statefulset").set("broker.statefulset.existingSecret", "mq")
                .set("broker.statefulset.persistence.storageClass", "fast"));
        assertThat(existing.all("Secret")).isEmpty();
        assertThat(secretRef(existing.one("StatefulSet").at("/spec/template/spec/containers/0"), "ARTEMIS_PASSWORD"))
                .isEqualTo("mq/password");
        assertThat(existing.one("StatefulSet").at("/spec/volumeClaimTemplates/0/spec/storageClassName").asText()).isEqualTo("fast");
        assertThat(render(t -> t).all("StatefulSet")).as("not by default").isEmpty();
    }

    @Test
    void statefulSetBrokerNeedsAPassword() {
        assertThatThrownBy(() -> render(t -> t.set("broker.mode", "statefulset")))
                .hasMessageContaining("broker.statefulset.password");
    }

    @Test
    void engineDiscoveryAddsAServiceAccountAMinimalRoleAndTheWatchSettings() throws IOException {
        Rendered off = render(t -> t);
        assertThat(off.all("Role")).isEmpty();
        assertThat(off.all("RoleBinding")).isEmpty();
        assertThat(off.all("ServiceAccount")).isEmpty();
        assertThat(off.one("Deployment").at("/spec/template/spec/automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(off.applicationYaml().at("/caravan/engine-discovery").isMissingNode()).isTrue();

        Rendered r = render(t -> t.set("engineDiscovery.enabled", true).set("engineDiscovery.namespace", "gpu")
                .set("engineDiscovery.apiKeySecret.name", "vllm-keys").set("engineDiscovery.apiKeySecret.key", "all"));
        JsonNode role = r.one("Role");
        assertThat(role.at("/metadata/namespace").asText()).isEqualTo("gpu");
        assertThat(role.at("/rules").size()).isEqualTo(1);
        assertThat(role.at("/rules/0/resources")).extracting(JsonNode::asText).containsExactly("pods");
        assertThat(role.at("/rules/0/verbs")).extracting(JsonNode::asText).containsExactly("get", "list", "watch");
        JsonNode binding = r.one("RoleBinding");
        assertThat(binding.at("/metadata/namespace").asText()).isEqualTo("gpu");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
        JsonNode sa = r.one("ServiceAccount");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(sa.at("/metadata/name").asText());
        assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("llm");
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertThat(pod.at("/serviceAccountName").asText()).isEqualTo(sa.at("/metadata/name").asText());
        assertThat(pod.at("/automountServiceAccountToken").asBoolean()).as("the client reads the token").isTrue();
        assertThat(secretRef(pod.at("/containers/0"), "CARAVAN_ENGINE_DISCOVERY_API_KEY")).isEqualTo("vllm-keys/all");

        JsonNode k8s = r.applicationYaml().at("/caravan/engine-discovery/kubernetes");
        assertThat(k8s.get("enabled").asBoolean()).isTrue();
        assertThat(k8s.get("label-selector").asText()).isEqualTo("caravan.dev/engine=true");
        assertThat(k8s.get("port").asText()).isEqualTo("http");
        assertThat(k8s.get("api-key").asText()).isEqualTo("${CARAVAN_ENGINE_DISCOVERY_API_KEY}");

        // and it binds to the gateway's own properties
        String text = r.named("ConfigMap", "caravan-config").at("/data/application.yaml").asText();
        var sources = new org.springframework.boot.env.YamlPropertySourceLoader()
                .load("chart", new org.springframework.core.io.ByteArrayResource(text.getBytes()));
        var binder = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(sources));
        var d = binder.bind("caravan.engine-discovery.kubernetes", dev.caravan.engines.KubernetesDiscoveryProperties.class).get();
        assertThat(d.isEnabled()).isTrue();
        assertThat(d.getNamespace()).isEqualTo("gpu");
        assertThat(d.getModelKey()).isEqualTo("caravan.dev/model");
        assertThat(d.getResyncPeriod()).isEqualTo(java.time.Duration.ofMinutes(5));

        Rendered numeric = render(t -> t.set("engineDiscovery.enabled", true).set("engineDiscovery.port", 8000));
        assertThat(numeric.applicationYaml().at("/caravan/engine-discovery/kubernetes/port").asText()).isEqualTo("8000");
        assertThat(numeric.one("Role").at("/metadata/namespace").asText()).as("the release's").isEqualTo("llm");
    }

    @Test
    void generatedApplicationYamlBindsToTheGatewaysProperties() throws IOException {
        Rendered r = render(t -> t.withValuesFile(MULTI));
        String text = r.named("ConfigMap", "caravan-config").at("/data/application.yaml").asText();
        var sources = new org.springframework.boot.env.YamlPropertySourceLoader()
                .load("chart", new org.springframework.core.io.ByteArrayResource(text.getBytes()));
        var binder = new org.springframework.boot.context.properties.bind.Binder(
                org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(sources));

        var engines = binder.bind("caravan", dev.caravan.engines.EngineProperties.class).get();
        assertThat(engines.getEngines()).extracting(e -> e.getId()).containsExactly("vllm-a0", "vllm-b0");
        assertThat(engines.getEngines().get(0).isPriorityScheduling()).isTrue();
        assertThat(engines.getEngines().get(0).getModels()).containsExactly("meta-llama/Llama-3.1-8B-Instruct");

        var wf = binder.bind("caravan.workflow-support", dev.caravan.workflows.WorkflowSupportProperties.class).get();
        assertThat(wf.getTtl()).isEqualTo(java.time.Duration.ofSeconds(1800));
        assertThat(wf.getMaxWorkflows()).isEqualTo(5000);
        assertThat(wf.getRouting().policyName()).isEqualTo("prefix-aware");
        assertThat(wf.getBatchingPreference()).isEqualTo(0.6);
        assertThat(wf.getCacheAffinityWeight()).isEqualTo(0.9);

        var routing = binder.bind("caravan.routing", dev.caravan.placement.RoutingProperties.class).get();
        assertThat(routing.getSaturationPerEngine()).isEqualTo(32);
        assertThat(routing.getPlainPolicy()).isEqualTo("prefix-aware");
    }

    // --- helpers ---

    private static void assertProbes(JsonNode container) {
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/actuator/health/liveness");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("management");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/actuator/health/liveness");
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.get("env")) {
            if (name.equals(e.get("name").asText())) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static String secretRef(JsonNode container, String name) {
        for (JsonNode e : container.get("env")) {
            if (name.equals(e.get("name").asText())) {
                JsonNode ref = e.at("/valueFrom/secretKeyRef");
                return ref.get("name").asText() + "/" + ref.get("key").asText();
            }
        }
        return null;
    }

    private static JsonNode envVar(JsonNode container, String name) {
        for (JsonNode e : container.get("env")) {
            if (name.equals(e.get("name").asText())) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static Map<String, Integer> ports(JsonNode container) {
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
        return ports;
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.get("volumeMounts")) {
            if (volume.equals(m.get("name").asText())) {
                return m.get("mountPath").asText();
            }
        }
        return null;
    }

    private static Rendered render(UnaryOperator<TemplateCommand> values) throws IOException {
        String out = values.apply(new Helm(CHART).template().withName("caravan").withNamespace("llm").withKubeVersion("1.30.0")).call();
        List<JsonNode> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(out)) {
            if (doc instanceof Map<?, ?>) {
                docs.add(JSON.valueToTree(doc));
            }
        }
        return new Rendered(docs);
    }

    private record Rendered(List<JsonNode> docs) {
        List<JsonNode> all(String kind) {
            return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
        }

        JsonNode one(String kind) {
            List<JsonNode> found = all(kind);
            assertThat(found).as("exactly one %s", kind).hasSize(1);
            return found.get(0);
        }

        JsonNode named(String kind, String name) {
            return all(kind).stream().filter(d -> name.equals(d.at("/metadata/name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
        }

        JsonNode applicationYaml() throws IOException {
            Object app = new Yaml().load(named("ConfigMap", "caravan-config").at("/data/application.yaml").asText());
            return JSON.valueToTree(app);
        }
    }
}
