package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class RestMessagingTest extends MessagingTestSupport {

    @Autowired
    WorkflowQueues workflowQueues;
    @Autowired
    IdleWorkflowSweeper sweeper;

    @Test
    void broadcastReachesEveryOtherMemberOfTheWorkflow() {
        String wf = newWorkflow();
        String other = newWorkflow();
        // Members: receiving, sending and being addressed each make an agent part of the workflow.
        poll(wf, "reader", "?timeout=0");
        sendMessage(wf, "{\"source_agent\":\"sender\",\"target_agent\":\"addressed\",\"payload\":\"hello\"}");
        poll(other, "outsider", "?timeout=0");
        assertThat(workflowQueues.agents(wf)).containsExactly("addressed", "reader", "sender");

        JsonNode receipt = sendMessage(wf, "{\"source_agent\":\"reader\",\"target_agent\":\"*\",\"payload\":{\"all\":true},\"message_type\":\"signal\"}");
        assertThat(receipt.get("recipients").asInt()).isEqualTo(2);

        JsonNode atSender = poll(wf, "sender", "?timeout=1");
        assertThat(atSender.get("count").asInt()).isEqualTo(1);
        assertThat(atSender.get("messages").get(0).get("payload").get("all").asBoolean()).isTrue();
        assertThat(atSender.get("messages").get(0).get("target").asText()).isEqualTo("sender");
        JsonNode atAddressed = poll(wf, "addressed", "?timeout=1&max_messages=10");
        assertThat(atAddressed.get("count").asInt()).isEqualTo(2); // "hello" and the broadcast
        assertThat(atAddressed.get("messages").get(1).get("type").asText()).isEqualTo("signal");
        assertThat(poll(wf, "reader", "?timeout=0").get("count").asInt()).isZero();
        assertThat(poll(other, "outsider", "?timeout=0").get("count").asInt()).isZero();
    }

    @Test
    void oneSenderToOneReceiverKeepsSendOrder() {
        String wf = newWorkflow();
        for (int i = 0; i < 60; i++) {
            sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":" + i + "}");
        }
        List<Integer> seen = new ArrayList<>();
        JsonNode first = poll(wf, "b", "?timeout=1&max_messages=25");
        assertThat(first.get("count").asInt()).isEqualTo(25);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        first.get("messages").forEach(m -> seen.add(m.get("payload").asInt()));
        while (seen.size() < 60) {
            JsonNode next = poll(wf, "b", "?timeout=1&max_messages=25");
            assertThat(next.get("count").asInt()).isPositive();
            next.get("messages").forEach(m -> seen.add(m.get("payload").asInt()));
        }
        for (int i = 0; i < 60; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
    }

    @Test
    void longPollReturnsOnArrivalAndOnTimeout() throws Exception {
        String wf = newWorkflow();
        long start = System.nanoTime();
        JsonNode empty = poll(wf, "idle", "?timeout=1");
        long emptyMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(empty.get("count").asInt()).isZero();
        assertThat(emptyMillis).isBetween(900L, 4000L);

        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> poll(wf, "waiter", "?timeout=20"));
        Thread.sleep(700);
        assertThat(waiting).isNotDone();
        long sentAt = System.nanoTime();
        sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"waiter\",\"payload\":\"wake\"}");
        JsonNode woke = waiting.get(10, TimeUnit.SECONDS);
        long wakeMillis = (System.nanoTime() - sentAt) / 1_000_000;
        assertThat(woke.get("count").asInt()).isEqualTo(1);
        assertThat(wakeMillis).isLessThan(5000L);
    }

    @Test
    void repeatedClientMessageIdIsStoredOnce() {
        String wf = newWorkflow();
        String body = "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1,\"message_id\":\"retry-42\"}";
        assertThat(sendMessage(wf, body).get("message_id").asText()).isEqualTo("retry-42");
        assertThat(sendMessage(wf, body).get("message_id").asText()).isEqualTo("retry-42");
        JsonNode inbox = poll(wf, "b", "?timeout=1&max_messages=10");
        assertThat(inbox.get("count").asInt()).isEqualTo(1);
        assertThat(inbox.get("messages").get(0).get("id").asText()).isEqualTo("retry-42");
    }

    /** Payloads past Artemis' large-message size count in full against the queue's bound too. */
    @Test
    void largePayloadsCountAgainstTheQueueBound() {
        String wf = newWorkflow();
        String big = "y".repeat(300_000);
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 40 && refused == null; i++) {
            HttpResponse<String> r = post("/v1/workflows/" + wf + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"bulk\",\"payload\":\"" + big + "\"}");
            if (r.statusCode() == 200) {
                accepted++;
            } else {
                refused = r;
            }
        }
        assertThat(refused).as("a 429 once the queue holds more than its %d bytes", MAX_QUEUE_BYTES).isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        // the bound is checked before a message is added: one message past it at most
        assertThat((long) (accepted - 1) * big.length()).isLessThan(MAX_QUEUE_BYTES);
        int read = 0;
        for (JsonNode page = poll(wf, "bulk", "?timeout=1&max_messages=100"); page.get("count").asInt() > 0;
                page = poll(wf, "bulk", "?timeout=0&max_messages=100")) {
            read += page.get("count").asInt();
        }
        assertThat(read).isEqualTo(accepted);
    }

    @Test
    void fullQueueAnswers429AndNothingIsDroppedSilently() {
        String wf = newWorkflow();
        String chunk = "x".repeat(60 * 1024);
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> r = post("/v1/workflows/" + wf + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"slow\",\"payload\":\"" + chunk + "\"}");
            if (r.statusCode() == 200) {
                accepted++;
            } else {
                refused = r;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(json(refused).get("error").get("code").asText()).isEqualTo("queue_full");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(accepted).isBetween(2, MAX_QUEUE_BYTES / chunk.length() + 1);
        // Every accepted message is still there.
        int read = 0;
        for (JsonNode page = poll(wf, "slow", "?timeout=1&max_messages=100"); page.get("count").asInt() > 0;
                page = poll(wf, "slow", "?timeout=0&max_messages=100")) {
            read += page.get("count").asInt();
        }
        assertThat(read).isEqualTo(accepted);
        // Drained: sends are accepted again.
        sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"slow\",\"payload\":\"ok\"}");
    }

    @Test
    void payloadOverTheLimitIs413AndBadBodiesAre400() {
        String wf = newWorkflow();
        HttpResponse<String> big = post("/v1/workflows/" + wf + "/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":\"" + "y".repeat(1024 * 1024 + 10) + "\"}");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(post("/v1/workflows/" + wf + "/messages", "not json").statusCode()).isEqualTo(400);
        assertThat(post("/v1/workflows/" + wf + "/messages", "{\"source_agent\":\"a\",\"target_agent\":\"b\"}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/workflows/" + wf + "/messages",
                "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1,\"message_type\":\"gossip\"}").statusCode()).isEqualTo(400);
        assertThat(get("/v1/workflows/" + wf + "/agents/b/messages?ack=sometimes").statusCode()).isEqualTo(400);
    }

    @Test
    void deletingAWorkflowRemovesItsQueuesAndOnlyThose() {
        String wf = newWorkflow();
        String kept = newWorkflow();
        sendMessage(wf, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
        sendMessage(kept, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
        assertThat(workflowQueues.workflows()).contains(wf, kept);
        assertThat(workflowQueues.deleteWorkflow(wf)).isEqualTo(2);
        assertThat(workflowQueues.agents(wf)).isEmpty();
        assertThat(workflowQueues.workflows()).doesNotContain(wf).contains(kept);
        assertThat(poll(wf, "b", "?timeout=0").get("count").asInt()).isZero();
        assertThat(poll(kept, "b", "?timeout=0").get("count").asInt()).isEqualTo(1);
    }

    @Test
    void idleWorkflowsAreSweptAndBusyOnesKept() {
        String idle = newWorkflow();
        String busy = newWorkflow();
        sendMessage(idle, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
        sendMessage(busy, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
        long now = System.currentTimeMillis();
        long ttl = sweeper.idleTtlMillis();
        sweeper.sweep(now);
        sendMessage(busy, "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":2}");
        sweeper.sweep(now + ttl / 2);
        sweeper.sweep(now + ttl + 1);
        assertThat(workflowQueues.workflows()).doesNotContain(idle).contains(busy);
    }

    @Test
    void restToRestCarriesEveryField() {
        String wf = newWorkflow();
        JsonNode receipt = sendMessage(wf, """
                {"source_agent":"planner","target_agent":"coder","payload":{"task":"write","n":3},
                 "message_type":"query","correlation_id":"corr-1","reply_to":"planner"}""");
        assertThat(receipt.get("status").asText()).isEqualTo("sent");
        assertThat(receipt.get("message_id").asText()).isNotBlank();
        assertThat(receipt.get("timestamp").asDouble()).isGreaterThan(1.7e9);

        HttpResponse<String> raw = get("/v1/workflows/" + wf + "/agents/coder/messages?timeout=2");
        // epoch seconds as plain decimals (1796050937.840), as the send answer gives them, not 1.79605093784E9
        assertThat(raw.body()).containsPattern("\"timestamp\":\\d{10}\\.\\d{3}[,}]");
        JsonNode inbox = json(raw);
        assertThat(inbox.get("count").asInt()).isEqualTo(1);
        assertThat(inbox.get("has_more").asBoolean()).isFalse();
        JsonNode m = inbox.get("messages").get(0);
        assertThat(m.get("id").asText()).isEqualTo(receipt.get("message_id").asText());
        assertThat(m.get("source").asText()).isEqualTo("planner");
        assertThat(m.get("target").asText()).isEqualTo("coder");
        assertThat(m.get("type").asText()).isEqualTo("query");
        assertThat(m.get("payload").get("task").asText()).isEqualTo("write");
        assertThat(m.get("payload").get("n").asInt()).isEqualTo(3);
        assertThat(m.get("correlation_id").asText()).isEqualTo("corr-1");
        assertThat(m.get("reply_to").asText()).isEqualTo("planner");
        assertThat(m.get("timestamp").asDouble()).isEqualTo(receipt.get("timestamp").asDouble());

        // ack=auto: delivered once.
        assertThat(poll(wf, "coder", "?timeout=0").get("count").asInt()).isZero();
    }

    @Test
    void workflowIdsWithBrokerWildcardsAreRejected() {
        for (String bad : new String[] {"a.b", "a%23b", "a%2Ab", "a%3Eb", "x".repeat(129)}) {
            HttpResponse<String> response = post("/v1/workflows/" + bad + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"b\",\"payload\":1}");
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(response).get("error").get("param").asText()).isEqualTo("workflow_id");
        }
        String wf = newWorkflow();
        for (String badAgent : new String[] {"a.b", "#", "a*", ">", "a/b"}) {
            HttpResponse<String> response = post("/v1/workflows/" + wf + "/messages",
                    "{\"source_agent\":\"a\",\"target_agent\":\"" + badAgent + "\",\"payload\":1}");
            assertThat(response.statusCode()).as(badAgent).isEqualTo(400);
            assertThat(json(response).get("error").get("type").asText()).isEqualTo("invalid_request_error");
        }
        assertThat(get("/v1/workflows/" + wf + "/agents/a.b/messages?timeout=0").statusCode()).isEqualTo(400);
    }
}
