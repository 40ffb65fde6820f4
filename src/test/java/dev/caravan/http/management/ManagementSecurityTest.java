package dev.caravan.http.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.gateway.GatewayTestSupport;
import dev.caravan.fixtures.ManagementLogin;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The management port behind a login (Spring Security), against the running gateway over real HTTP:
 * health and prometheus open, everything else 401 without the operator's account, a browser sent to
 * the login form, the console's Jolokia POSTs with the CSRF token, Jolokia's policy for a logged-in
 * operator; the API port untouched. {@link ManagementAccountTest} covers the other account settings.
 */
@CamelSpringBootTest
@DisableJmx(false) // Camel's MBeans, for the Jolokia exec the policy allows
@AutoConfigureObservability // the Prometheus endpoint is off in tests without it
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=1",
        "caravan.simulator.options.time-scale=0.1",
        "caravan.management.username=operator",
        "caravan.management.password=configured-secret-4711",
        "management.endpoint.health.probes.enabled=true"}) // as on Kubernetes, where Boot turns them on itself
class ManagementSecurityTest extends GatewayTestSupport {

    static final String OPERATOR = ManagementLogin.basic("operator", "configured-secret-4711");

    URI management(String path) {
        return URI.create("http://localhost:" + managementPort + path);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> jolokia(String json, String authorization) throws Exception {
        return send(HttpRequest.newBuilder(management("/actuator/jolokia")).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void anonymousRequestsAre401ExceptHealthAndPrometheus() throws Exception {
        for (String path : new String[] {"/actuator/hawtio/", "/actuator/hawtio/jolokia/version", "/actuator/jolokia",
                "/actuator/jolokia/read/java.lang:type=Memory", "/actuator/camelroutes", "/actuator/metrics",
                "/actuator/info", "/actuator", "/v1/models"}) {
            HttpResponse<String> r = getManagement(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic realm=\"caravan-management\"");
            assertThat(r.body()).as(path).doesNotContain("HeapMemoryUsage", "\"value\"", "chatCompletions");
        }
        assertThat(send(HttpRequest.newBuilder(management("/actuator/jolokia")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}"))).statusCode()).isEqualTo(401);

        for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            assertThat(getManagement(path).statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<String> prom = getManagement("/actuator/prometheus");
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(prom.body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void theConfiguredAccountOpensEverythingAWrongPasswordNothing(CapturedOutput output) throws Exception {
        for (String path : new String[] {"/actuator/camelroutes", "/actuator/metrics", "/actuator/info",
                "/actuator/jolokia/version", "/actuator/hawtio/"}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(management(path)).header("Authorization", OPERATOR).GET());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
        }
        assertThat(json(send(HttpRequest.newBuilder(management("/actuator/camelroutes")).header("Authorization", OPERATOR).GET()))
                .findValuesAsText("id")).contains("chatCompletions");

        for (String wrong : new String[] {ManagementLogin.basic("operator", "configured-secret-4712"),
                ManagementLogin.basic("admin", "configured-secret-4711"), ManagementLogin.basic("operator", ""), "Bearer configured-secret-4711"}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(management("/actuator/metrics")).header("Authorization", wrong).GET());
            assertThat(r.statusCode()).as(wrong).isEqualTo(401);
        }
        // the test defaults' account is not this context's
        assertThat(send(ManagementLogin.asOperator(HttpRequest.newBuilder(management("/actuator/metrics"))).GET()).statusCode())
                .isEqualTo(401);
        // a configured password is never logged, nor is one generated
        assertThat(output.getAll()).doesNotContain("configured-secret-4711").doesNotContain("generated management password")
                .doesNotContain("Using generated security password");
    }

    @Test
    void hawtiosJolokiaPathAnswersAClientThatAsksForJson() throws Exception {
        // Hawtio forwards /actuator/hawtio/jolokia to Jolokia; the forward used to be dropped (500) for Accept: application/json
        for (String accept : new String[] {"application/json", "*/*", "text/html"}) {
            HttpResponse<String> get = send(HttpRequest.newBuilder(management("/actuator/hawtio/jolokia/version"))
                    .header("Authorization", OPERATOR).header("Accept", accept).GET());
            assertThat(get.statusCode()).as(accept + ": " + get.body()).isEqualTo(200);
            assertThat(json(get).at("/value/agent").asText()).as(accept).isNotEmpty();
            HttpResponse<String> post = send(HttpRequest.newBuilder(management("/actuator/hawtio/jolokia"))
                    .header("Authorization", OPERATOR).header("Accept", accept).header("Content-Type", "application/json")
                    .header("Cookie", "JSESSIONID=NO-SUCH-SESSION")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}")));
            assertThat(post.statusCode()).as(accept + ": " + post.body()).isEqualTo(200);
            assertThat(json(post).get("status").asInt()).isEqualTo(200);
        }
        HttpResponse<String> page = send(HttpRequest.newBuilder(management("/actuator/hawtio/camel/routes"))
                .header("Authorization", OPERATOR).header("Accept", "application/json").GET());
        assertThat(page.statusCode()).isEqualTo(200);
    }

    @Test
    void jolokiaReadsButRefusesWritesAndExecOutsideThePolicy() throws Exception {
        HttpResponse<String> read = jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\"}", OPERATOR);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).get("status").asInt()).isEqualTo(200);
        assertThat(json(read).get("value").asBoolean()).isFalse();
        assertThat(json(send(HttpRequest.newBuilder(management("/actuator/jolokia/read/java.lang:type=Memory/HeapMemoryUsage"))
                .header("Authorization", OPERATOR).GET())).at("/value/used").asLong()).isPositive();

        JsonNode write = json(jolokia("{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}", OPERATOR));
        assertThat(write.get("status").asInt()).as(write.toString()).isEqualTo(403);
        assertThat(write.get("error").asText()).as(write.toString()).contains("forbidden");
        JsonNode writeByGet = json(send(HttpRequest.newBuilder(management("/actuator/jolokia/write/java.lang:type=Memory/Verbose/true"))
                .header("Authorization", OPERATOR).GET()));
        assertThat(writeByGet.get("status").asInt()).isEqualTo(403);
        assertThat(json(jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\"}", OPERATOR))
                .get("value").asBoolean()).as("Verbose unchanged").isFalse();

        for (String exec : new String[] {
                "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}",
                "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Threading\",\"operation\":\"dumpAllThreads\",\"arguments\":[false,false]}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\",\"operation\":\"gcClassHistogram\",\"arguments\":[[]]}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\",\"operation\":\"dumpHeap\",\"arguments\":[\"/tmp/x.hprof\",true]}"}) {
            JsonNode refused = json(jolokia(exec, OPERATOR));
            assertThat(refused.get("status").asInt()).as(exec + " -> " + refused).isEqualTo(403);
        }

        // what the console needs: Camel's route dumps
        JsonNode contexts = json(jolokia("{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=context,*\"}", OPERATOR));
        assertThat(contexts.get("value")).as(contexts.toString()).isNotEmpty();
        String camel = contexts.get("value").get(0).asText();
        JsonNode dump = json(jolokia("{\"type\":\"exec\",\"mbean\":" + mapper.writeValueAsString(camel)
                + ",\"operation\":\"dumpRoutesAsXml()\"}", OPERATOR));
        assertThat(dump.get("status").asInt()).as(dump.toString()).isEqualTo(200);
        assertThat(dump.get("value").asText()).contains("chatCompletions");
        JsonNode send = json(jolokia("{\"type\":\"exec\",\"mbean\":" + mapper.writeValueAsString(camel)
                + ",\"operation\":\"sendBody(java.lang.String,java.lang.Object)\",\"arguments\":[\"log:x\",\"hi\"]}", OPERATOR));
        assertThat(send.get("status").asInt()).as("no messages injected into routes").isEqualTo(403);
    }

    @Test
    void aBrowserLogsInThroughTheFormAndTheConsolesJolokiaPostsNeedTheCsrfToken() throws Exception {
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/"))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));

        HttpResponse<String> form = browser.send(HttpRequest.newBuilder(management("/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(200);
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
        assertThat(csrf.find()).as(form.body()).isTrue();

        HttpResponse<String> badLogin = browser.send(HttpRequest.newBuilder(management("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=operator&password=nope&_csrf=" + enc(csrf.group(1)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badLogin.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));

        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(management("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=operator&password=configured-secret-4711&_csrf="
                        + enc(csrf.group(1)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/actuator/hawtio/"));

        HttpResponse<String> console = browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("hawtio");
        // Hawtio asks who is logged in and how: Spring Security's login, the operator
        HttpResponse<String> user = browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/user")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(user.statusCode()).isEqualTo(200);
        assertThat(user.body()).contains("operator");
        assertThat(browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/auth/config/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("Spring Security");

        String token = cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
        String read = "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"Uptime\"}";
        HttpResponse<String> withToken = browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/jolokia"))
                .header("Content-Type", "application/json").header("X-XSRF-TOKEN", token)
                .POST(HttpRequest.BodyPublishers.ofString(read)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
        assertThat(json(withToken).get("value").asLong()).isPositive();

        HttpResponse<String> withoutToken = browser.send(HttpRequest.newBuilder(management("/actuator/hawtio/jolokia"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(read)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withoutToken.statusCode()).as("a cross-site POST riding on the session").isEqualTo(403);
    }

    @Test
    void theApiPortKnowsNothingOfTheManagementLogin() throws Exception {
        HttpResponse<String> models = get("/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(models.headers().firstValue("WWW-Authenticate")).isEmpty();
        HttpResponse<String> withOperator = http.send(HttpRequest.newBuilder(uri("/v1/models")).header("Authorization", OPERATOR)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withOperator.statusCode()).isEqualTo(200);
        HttpResponse<String> notFound = get("/login");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(json(notFound).get("error").get("code").asText()).isEqualTo("not_found");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
