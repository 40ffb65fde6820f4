package dev.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.caravan.gateway.GatewayTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The Hawtio console as an operator sees it, in headless Chromium (Debian's {@code chromium}; the
 * test is skipped, saying why, where it is not installed): the Camel routes and the broker's queues.
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

    /**
     * Loads a console page in headless Chromium and returns its DOM once rendered (virtual time lets the
     * page's scripts and its Jolokia calls run to the end), or writes a screenshot of it instead.
     */
    String chromium(String path, Path screenshot) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--window-size=1400,900", "--virtual-time-budget=20000"));
        cmd.add(screenshot == null ? "--dump-dom" : "--screenshot=" + screenshot.toAbsolutePath());
        cmd.add("http://localhost:" + managementPort + path);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as("chromium exit status").isZero();
        return new String(out, StandardCharsets.UTF_8);
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

        // Camel > Routes: every route of routes/*.yaml with its counters
        String routes = text(chromium("/actuator/hawtio/camel/routes", null));
        assertThat(routes).contains("Camel", "Route Diagram", "Source");
        assertThat(routes).containsPattern("chatCompletions Started \\S+ 3 0 ")
                .containsPattern("engineCall Started \\S+ 3 0 ")
                .contains("sendAgentMessage", "pollAgentMessages", "workflowStatus");

        // JMX > org.apache.activemq.artemis: the agent queue the message waits in
        String nid = "org.apache.activemq.artemis-caravan-addresses-" + QUEUE + "-queues-anycast-" + QUEUE;
        String queue = text(chromium("/actuator/hawtio/jmx/attributes?nid=" + nid, null));
        assertThat(queue).contains("Name " + QUEUE, "MessageCount 1 ", "DeadLetterAddress caravan.dlq", "RoutingType ANYCAST");

        Files.createDirectories(SHOTS);
        chromium("/actuator/hawtio/camel/routes", SHOTS.resolve("hawtio-camel-routes.png"));
        chromium("/actuator/hawtio/jmx/attributes?nid=" + nid, SHOTS.resolve("hawtio-broker-queue.png"));
        assertThat(SHOTS.resolve("hawtio-camel-routes.png")).isNotEmptyFile();
        assertThat(SHOTS.resolve("hawtio-broker-queue.png")).isNotEmptyFile();
    }
}
