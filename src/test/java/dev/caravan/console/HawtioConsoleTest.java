package dev.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.caravan.gateway.GatewayTestSupport;
import dev.caravan.fixtures.ManagementLogin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The Hawtio console as an operator sees it, in headless Chromium (Debian's {@code chromium}; the
 * test is skipped, saying why, where it is not installed): sent to the management port's login form,
 * logged in there, then the Camel routes and the broker's queues.
 */
@CamelSpringBootTest
@DisableJmx(false) // Camel's test support turns JMX off; the console is made of MBeans
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "spring.jmx.enabled=true"}) // the test defaults turn it off; the console reads the MBeans
class HawtioConsoleTest extends GatewayTestSupport {

    static final Path CHROMIUM = Path.of(System.getProperty("caravan.test.chromium", "/usr/bin/chromium"));

    @BeforeAll
    static void chromiumIsThere() {
        assumeTrue(Files.isExecutable(CHROMIUM), "Hawtio console test skipped: no Chromium at " + CHROMIUM
                + " (apt-get install chromium, or -Dcaravan.test.chromium=PATH)");
    }

    /** Screenshots go here: target/ by default; {@code -Dcaravan.test.screenshots=docs/img} refreshes the docs' ones. */
    static final Path SHOTS = Path.of(System.getProperty("caravan.test.screenshots", "target"));
    static final String QUEUE = "caravan.workflow.console-wf.agent.reviewer";

    String console(String path) {
        return "http://localhost:" + managementPort + path;
    }

    /** Waits (up to a minute: the console loads its plugins, then asks Jolokia) until the page's text matches. */
    static String waitForText(HeadlessChromium browser, String regex) throws Exception {
        Pattern wanted = Pattern.compile(regex);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String shown = "";
        while (System.nanoTime() < deadline) {
            try {
                shown = text(browser.dom());
                if (wanted.matcher(shown).find()) {
                    return shown;
                }
            } catch (IllegalStateException navigating) {
                // the page's context went away while it navigated (the login's redirect): ask the next one
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the console never showed /" + regex + "/; it shows: " + shown);
    }

    static void waitUntilLoggedIn(HeadlessChromium browser) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (!"/login".equals(browser.eval("location.pathname").asText())) return;
            } catch (IllegalStateException navigating) {
                // the page's context went away while it navigated: ask the next one
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the login form never let the operator in");
    }

    static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** What the page shows, without markup, styles or scripts. */
    static String text(String dom) {
        String body = dom.substring(Math.max(0, dom.indexOf("<body")));
        body = body.replaceAll("(?s)<style.*?</style>", "").replaceAll("(?s)<script.*?</script>", "");
        return body.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ");
    }

    @Test
    void consoleShowsTheCamelRoutesAndTheBrokersQueues() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hello " + i + "\"}],\"max_tokens\":2,\"workflow_metadata\":{\"workflow_id\":"
                    + "\"console-wf\",\"agent_id\":\"a\"}}").statusCode()).isEqualTo(200);
        }
        assertThat(post("/v1/workflows/console-wf/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"reviewer\",\"payload\":\"look\"}").statusCode()).isEqualTo(200);

        try (HeadlessChromium browser = new HeadlessChromium(CHROMIUM)) {
            // The console is behind the management login: the browser is sent to the form first
            browser.open(console("/actuator/hawtio/camel/routes"));
            browser.waitFor("document.querySelector('form input[name=username]')", Duration.ofSeconds(30));
            assertThat(browser.eval("location.pathname").asText()).isEqualTo("/login");
            assertThat(text(browser.dom())).doesNotContain("chatCompletions");
            browser.eval("document.querySelector('input[name=username]').value = " + js(ManagementLogin.USER) + ";"
                    + "document.querySelector('input[name=password]').value = " + js(ManagementLogin.PASSWORD) + ";"
                    + "document.querySelector('form').submit(); true");
            // Logged in once the form is gone; then the routes page itself, wherever the login's redirect landed
            waitUntilLoggedIn(browser);
            browser.open(console("/actuator/hawtio/camel/routes"));

            // Camel > Routes: every route of routes/*.yaml with its counters
            // Routes by name and state, not by counters: in the full suite other test classes' Camel contexts
            // stay cached in this JVM with the same route names, and the console may show any of them first.
            String routes = waitForText(browser, "chatCompletions Started \\S+ \\d+ \\d+ ");
            assertThat(browser.eval("location.pathname").asText()).isEqualTo("/actuator/hawtio/camel/routes");
            assertThat(routes).contains("Camel", "Route Diagram", "Source");
            assertThat(routes).containsPattern("chatCompletions Started \\S+ \\d+ 0 ")
                    .containsPattern("engineCall Started \\S+ \\d+ 0 ")
                    .contains("sendAgentMessage", "pollAgentMessages", "workflowStatus");
            Files.createDirectories(SHOTS);
            browser.screenshot(SHOTS.resolve("hawtio-camel-routes.png"));

            // JMX > org.apache.activemq.artemis: the agent queue the message waits in (same session, no new login)
            String nid = "org.apache.activemq.artemis-caravan-addresses-" + QUEUE + "-queues-anycast-" + QUEUE;
            browser.open(console("/actuator/hawtio/jmx/attributes?nid=" + nid));
            String queue = waitForText(browser, "MessageCount 1 ");
            assertThat(queue).contains("Name " + QUEUE, "MessageCount 1 ", "DeadLetterAddress caravan.dlq", "RoutingType ANYCAST");
            browser.screenshot(SHOTS.resolve("hawtio-broker-queue.png"));
        }
        assertThat(SHOTS.resolve("hawtio-camel-routes.png")).isNotEmptyFile();
        assertThat(SHOTS.resolve("hawtio-broker-queue.png")).isNotEmptyFile();
    }
}
