package dev.caravan.simulator;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone entry point runs an engine in its own process, configured from the command line. */
class SimulatorMainTest {

    @Test
    void runsAStandaloneEngineConfiguredByArguments() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                SimulatorMain.class.getName(), "--port=0", "--model=standalone-model", "--time-scale=0"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).isNotNull().contains("listening on");
            Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)").matcher(line);
            assertThat(m.find()).isTrue();
            URI base = URI.create(m.group(1));
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(SimHttp.JSON.readTree(models.body()).get("data").get(0).get("id").asText()).isEqualTo("standalone-model");
        } finally {
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void badArgumentsExitWithStatus2() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                SimulatorMain.class.getName(), "--no-such-option=1")).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("unknown option --no-such-option");
    }
}
