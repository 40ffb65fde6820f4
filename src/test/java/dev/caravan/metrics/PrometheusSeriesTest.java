package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.gateway.GatewayTestSupport;
import dev.caravan.messaging.AgentQueueMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The series operators scrape, read from /actuator/prometheus after real traffic through the
 * gateway: the seed plan's names with their types and values, engine errors by kind, the agent
 * queues and the broker's own metrics, and the per-request log line.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.messaging.metrics.top-queues=2",
        "caravan.messaging.metrics.refresh=1h", // refreshed by the test, not by the timer
        // log levels outlive a test's context in the JVM: another test may have turned the request log off
        "logging.level.caravan.request=info"})
class PrometheusSeriesTest extends GatewayTestSupport {

    @Autowired
    AgentQueueMetrics agentQueues;

    static String chat(String prompt, String workflow, String agent) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],"
                + "\"max_tokens\":2" + (workflow == null ? ""
                : ",\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"" + agent + "\"}") + "}";
    }

    String prometheus() throws Exception {
        HttpResponse<String> r = getManagement("/actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static double value(String prom, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(prom);
        assertThat(m.find()).as("series %s in%n%s", series, prom).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void seedPlanSeriesHaveTheirTypesValuesAndNoWorkflowIdLabel() throws Exception {
        String before = prometheus();
        // present at 0 before any hit, so rate() and alerts see the series from the start
        assertThat(value(before, "vllm_workflow_cache_hits_total")).isZero();
        assertThat(before).contains("# TYPE vllm_workflow_cache_hits_total counter");
        double hitsBefore = value(before, "vllm_workflow_cache_hits_total");

        String context = longText("seriescontext", 300);
        for (String agent : new String[] {"planner", "critic", "critic"}) {
            HttpResponse<String> r = post("/v1/chat/completions", chat(context + " as " + agent, "series-wf", agent));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        String prom = prometheus();
        assertThat(prom).contains("# TYPE vllm_workflow_requests_total counter",
                "# TYPE vllm_workflow_latency_seconds histogram", "# TYPE vllm_active_workflows gauge",
                "# TYPE vllm_workflow_batch_efficiency gauge", "# TYPE vllm_workflow_message_queue_size gauge");
        assertThat(value(prom, "vllm_workflow_requests_total{agent_id=\"critic\"}")).isEqualTo(2.0);
        assertThat(value(prom, "vllm_workflow_requests_total{agent_id=\"planner\"}")).isEqualTo(1.0);
        // the second and third share the first's context on its engine
        assertThat(value(prom, "vllm_workflow_cache_hits_total") - hitsBefore).isEqualTo(2.0);
        // buckets that resolve a fast first token and a long generation
        assertThat(prom).contains("vllm_workflow_latency_seconds_bucket{agent_id=\"critic\",le=\"0.005\"}",
                "vllm_workflow_latency_seconds_bucket{agent_id=\"critic\",le=\"300.0\"}");
        assertThat(value(prom, "vllm_workflow_latency_seconds_bucket{agent_id=\"critic\",le=\"+Inf\"}")).isEqualTo(2.0);
        assertThat(value(prom, "vllm_workflow_latency_seconds_count{agent_id=\"critic\"}")).isEqualTo(2.0);
        assertThat(value(prom, "vllm_active_workflows")).isGreaterThanOrEqualTo(1.0);
        assertThat(value(prom, "vllm_workflow_batch_efficiency")).isEqualTo(1.0);
        assertThat(prom).doesNotContain("workflow_id=\"series-wf\"");
    }

    @Test
    void theDeepestAgentQueuesAreNamedTheRestSummedAndBrokerCountersAccumulate() throws Exception {
        String wf = "queues-" + System.nanoTime();
        int[] depth = {5, 3, 1, 2};
        for (int agent = 0; agent < depth.length; agent++) {
            for (int i = 0; i < depth[agent]; i++) {
                HttpResponse<String> r = post("/v1/workflows/" + wf + "/messages",
                        "{\"source_agent\":\"x\",\"target_agent\":\"agent" + agent + "\",\"payload\":" + i + "}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        }
        agentQueues.refresh();
        String prom = prometheus();
        double addedBefore = value(prom, "caravan_messaging_agent_messages_total{event=\"added\"}");
        assertThat(value(prom, "vllm_workflow_message_queue_size{agent_id=\"agent0\",workflow_id=\"" + wf + "\"}"))
                .isEqualTo(5.0);
        assertThat(value(prom, "vllm_workflow_message_queue_size{agent_id=\"agent1\",workflow_id=\"" + wf + "\"}"))
                .isEqualTo(3.0);
        assertThat(prom).doesNotContain("agent_id=\"agent2\"", "agent_id=\"agent3\"");
        assertThat(value(prom, "vllm_workflow_message_queue_size{agent_id=\"other\",workflow_id=\"other\"}"))
                .isGreaterThanOrEqualTo(3.0);
        assertThat(value(prom, "caravan_messaging_agent_queues")).isGreaterThanOrEqualTo(4.0);
        assertThat(addedBefore).isGreaterThanOrEqualTo(11.0);

        // reading the messages acknowledges them; deleting the workflow keeps the history in the counters
        HttpResponse<String> read = get("/v1/workflows/" + wf + "/agents/agent0/messages?timeout=0");
        assertThat(read.statusCode()).isEqualTo(200);
        agentQueues.refresh();
        double acked = value(prometheus(), "caravan_messaging_agent_messages_total{event=\"acknowledged\"}");
        assertThat(acked).isGreaterThanOrEqualTo(5.0);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(uri("/v1/workflows/" + wf)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        agentQueues.refresh();
        String after = prometheus();
        assertThat(value(after, "caravan_messaging_agent_messages_total{event=\"added\"}")).isEqualTo(addedBefore);
        assertThat(value(after, "caravan_messaging_agent_messages_total{event=\"acknowledged\"}")).isEqualTo(acked);
        assertThat(after).doesNotContain("workflow_id=\"" + wf + "\"");
    }

    /**
     * Every series the shipped Grafana dashboard queries is exported, with the labels it groups by
     * (after traffic, so series that appear with the first request are there).
     */
    @Test
    void everyDashboardExpressionNamesAnExportedSeriesAndLabel() throws Exception {
        assertThat(post("/v1/chat/completions", chat("dashboard", "dash-wf", "a")).statusCode()).isEqualTo(200);
        // an error answered by the gateway itself: caravan_error_responses_total starts with the first one
        assertThat(post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\"}").statusCode()).isEqualTo(400);
        agentQueues.refresh();
        String prom = prometheus();
        JsonNode dashboard = mapper.readTree(Files.readString(Path.of("docs", "grafana", "caravan.json")));
        Pattern metric = Pattern.compile("\\b((?:caravan|vllm|artemis)_[a-z0-9_]+)");
        int checked = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                Matcher m = metric.matcher(expr);
                while (m.find()) {
                    String name = m.group(1);
                    String family = name.replaceAll("_(bucket|count|sum)$", "");
                    assertThat(prom).as("%s in panel %s", name, panel.get("title").asText())
                            .containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]")
                            .contains("# TYPE " + family + " ");
                    checked++;
                }
                Matcher by = Pattern.compile("by \\(([a-z_, ]+)\\) \\((?:[a-z_]+\\()?((?:caravan|vllm)_[a-z0-9_]+)").matcher(expr);
                while (by.find()) {
                    for (String label : by.group(1).split(",\\s*")) {
                        if (!label.equals("le")) {
                            assertThat(prom).as("label %s of %s", label, by.group(2))
                                    .containsPattern("(?m)^" + Pattern.quote(by.group(2)) + "\\{[^}]*\\b" + label + "=\"");
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(15);
    }

    @Test
    void brokerPublishesItsOwnMetricsButNotOnePerAgentQueue() throws Exception {
        post("/v1/workflows/broker-metrics/messages", "{\"source_agent\":\"x\",\"target_agent\":\"y\",\"payload\":1}");
        String prom = prometheus();
        assertThat(prom).contains("artemis_connection_count{", "artemis_address_memory_usage{");
        assertThat(prom).containsPattern("artemis_message_count\\{[^}]*queue=\"caravan.dlq\"");
        assertThat(prom).doesNotContainPattern("artemis_[a-z_]+\\{[^}]*queue=\"caravan\\.workflow\\.");
    }

    @Test
    void engineErrorsAreCountedByKindAndEveryRequestIsLoggedOnce(CapturedOutput output) throws Exception {
        String prom = prometheus();
        for (String kind : new String[] {"connect", "timeout", "connection", "http_5xx", "mid_stream"}) {
            assertThat(prom).contains("caravan_engine_errors_total{engine=\"sim-0\",kind=\"" + kind + "\"}");
        }
        double before = value(prom, "caravan_engine_errors_total{engine=\"sim-0\",kind=\"http_5xx\"}")
                + value(prom, "caravan_engine_errors_total{engine=\"sim-1\",kind=\"http_5xx\"}");

        HttpResponse<String> ok = post("/v1/chat/completions", chat("log me", "log-wf", "logger"));
        assertThat(ok.statusCode()).isEqualTo(200);
        String requestId = ok.headers().firstValue("x-request-id").orElseThrow();

        sims().forEach(s -> s.faults().failureRate(1.0));
        HttpResponse<String> failed = post("/v1/chat/completions", chat("fail me", "log-wf", "logger"));
        assertThat(failed.statusCode()).isEqualTo(502);
        String after = prometheus();
        double now = value(after, "caravan_engine_errors_total{engine=\"sim-0\",kind=\"http_5xx\"}")
                + value(after, "caravan_engine_errors_total{engine=\"sim-1\",kind=\"http_5xx\"}");
        assertThat(now - before).isEqualTo(2.0); // tried on one engine, then once on the other

        assertThat(output.getOut()).containsPattern("request=" + Pattern.quote(requestId)
                + " workflow=log-wf agent=logger engine=sim-\\d reason=\\w+ prefix_match=\\w+ status=200 prompt_tokens=\\d+ cached_tokens=\\d+"
                + " completion_tokens=2 ttft_ms=[-0-9.]+ latency_ms=[0-9.]+");
        assertThat(output.getOut()).containsPattern("request=\\S+ workflow=log-wf agent=logger engine=sim-\\d"
                + " route=\\w+ status=502 error=engine_unavailable");
        assertThat(output.getOut().split(Pattern.quote("request=" + requestId + " "), -1)).hasSize(2);
    }
}
