package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Server-sent events: each message arrives as its own event while the stream stays open. */
class MessageStreamTest extends MessagingTestSupport {

    @Autowired
    EmbeddedActiveMQ broker;

    @Test
    void streamDeliversEventsAsTheyArriveAndReleasesTheConsumerWhenTheClientLeaves() throws Exception {
        String wf = newWorkflow();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                        uri("/v1/workflows/" + wf + "/agents/listener/messages/stream")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo(": connected");

        for (int i = 1; i <= 2; i++) {
            String id = sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"listener\",\"payload\":{\"n\":" + i + "}}")
                    .get("message_id").asText();
            JsonNode event = nextEvent(reader, id);
            assertThat(event.get("payload").get("n").asInt()).isEqualTo(i);
            assertThat(event.get("source").asText()).isEqualTo("a");
        }
        Queue queue = broker.getActiveMQServer().locateQueue(AgentAddresses.queue(wf, "listener"));
        assertThat(queue.getConsumerCount()).isEqualTo(1);

        response.body().close();
        long deadline = System.currentTimeMillis() + 10_000;
        while (queue.getConsumerCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(queue.getConsumerCount()).isZero();
    }

    private JsonNode nextEvent(BufferedReader reader, String expectedId) throws Exception {
        String line;
        String id = null;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data: ")) {
                assertThat(id).isEqualTo(expectedId);
                return mapper.readTree(line.substring(6));
            }
        }
        throw new AssertionError("stream ended");
    }
}
