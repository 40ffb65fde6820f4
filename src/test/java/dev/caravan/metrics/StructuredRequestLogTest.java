package dev.caravan.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.PlacementDecision;
import dev.caravan.core.PlacementReason;
import dev.caravan.core.PlacementRequest;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.engines.Engine;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;

/**
 * With Spring Boot's structured logging ({@code logging.structured.format.console=ecs}) the request
 * line is one JSON object with every field. Encoded here by Spring Boot's own encoder: logging is set
 * up once per test JVM, so a test context cannot switch the format for itself.
 */
class StructuredRequestLogTest {

    @Test
    void theRequestLineIsOneEcsJsonObjectWithEveryField() throws Exception {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger logger = logback.getLogger(RequestLog.LOGGER);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            Engine engine = new Engine("gpu-a", URI.create("http://gpu-a:8000"), Set.of(), Map.of(), false);
            WorkflowMetadata wf = new WorkflowMetadata("json-wf", "writer", null, 1.0, ContextSharingStrategy.AUTO, Map.of());
            new RequestLog().onOutcome(new RequestOutcome(new PlacementRequest("req-9", "m", "p", wf, null, Set.of()),
                    new PlacementDecision(engine, PlacementReason.LINEAGE), engine, 200, "resp-9", 50, 32, 3,
                    9_900_000L, 15_000_000L, false, null));
        } finally {
            logger.detachAppender(appender);
        }

        logback.putObject(Environment.class.getName(), new StandardEnvironment());
        StructuredLogEncoder ecs = new StructuredLogEncoder();
        ecs.setContext(logback);
        ecs.setFormat("ecs");
        ecs.start();
        String json = new String(ecs.encode(appender.list.get(0)), StandardCharsets.UTF_8);
        ecs.stop();

        JsonNode line = new ObjectMapper().readTree(json);
        assertThat(line.get("request_id").asText()).isEqualTo("req-9");
        assertThat(line.get("workflow_id").asText()).isEqualTo("json-wf");
        assertThat(line.get("agent_id").asText()).isEqualTo("writer");
        assertThat(line.get("engine").asText()).isEqualTo("gpu-a");
        assertThat(line.get("placement_reason").asText()).isEqualTo("lineage");
        assertThat(line.get("status").asText()).isEqualTo("200");
        assertThat(line.get("cached_tokens").asText()).isEqualTo("32");
        assertThat(line.get("ttft_ms").asText()).isEqualTo("9.9");
        assertThat(line.at("/log/logger").asText()).isEqualTo("caravan.request");
        assertThat(line.get("message").asText()).startsWith("request=req-9 workflow=json-wf agent=writer");
    }
}
