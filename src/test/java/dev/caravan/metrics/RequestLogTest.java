package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The request log line carries its fields in the MDC, which structured logging writes as JSON fields. */
class RequestLogTest {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RequestLog.LOGGER);

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    void everyFieldIsInTheMdcOfTheLineAndNothingIsLeftBehind() {
        MDC.put("other", "kept");
        Engine engine = new Engine("gpu-a", URI.create("http://gpu-a:8000"), Set.of(), Map.of(), false);
        WorkflowMetadata wf = new WorkflowMetadata("wf-1", "critic", null, 1.0, ContextSharingStrategy.AUTO, Map.of());
        RequestOutcome outcome = new RequestOutcome(
                new PlacementRequest("req-1", "m", "prompt", wf, null, Set.of()),
                new PlacementDecision(engine, PlacementReason.AFFINITY), engine, 200, "resp-1",
                120, 96, 8, 42_300_000L, 250_000_000L, false, null);
        new RequestLog().onOutcome(outcome);

        assertThat(appender.list).hasSize(1);
        Map<String, String> mdc = appender.list.get(0).getMDCPropertyMap();
        assertThat(mdc).containsEntry("request_id", "req-1").containsEntry("workflow_id", "wf-1")
                .containsEntry("agent_id", "critic").containsEntry("engine", "gpu-a")
                .containsEntry("placement_reason", "affinity").containsEntry("prefix_match", "none").containsEntry("status", "200")
                .containsEntry("prompt_tokens", "120").containsEntry("cached_tokens", "96")
                .containsEntry("completion_tokens", "8").containsEntry("ttft_ms", "42.3")
                .containsEntry("latency_ms", "250.0").containsEntry("model", "m");
        assertThat(appender.list.get(0).getFormattedMessage()).isEqualTo("request=req-1 workflow=wf-1 agent=critic"
                + " engine=gpu-a reason=affinity prefix_match=none status=200 prompt_tokens=120 cached_tokens=96 completion_tokens=8"
                + " ttft_ms=42.3 latency_ms=250.0");
        assertThat(MDC.getCopyOfContextMap()).containsOnlyKeys("other");
        MDC.clear();
    }

    @Test
    void aRequestRefusedBeforeItWasParsedIsLoggedWithItsRouteAndCode() {
        new RequestLog().refused("completion", null, 400, "invalid_request");
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getFormattedMessage())
                .isEqualTo("request=- workflow=- agent=- engine=- route=completion status=400 error=invalid_request");
        assertThat(appender.list.get(0).getMDCPropertyMap()).containsEntry("status", "400")
                .containsEntry("error_code", "invalid_request").doesNotContainKey("request_id");
    }
}
