package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The receive caps (100 messages, 25 s) are below what production-stack's workflow PR allows (1000,
 * 30 s): the answer says what was applied (issue 20), in headers and in {@code has_more}.
 */
class ReceiveCapsTest extends MessagingTestSupport {

    private HttpResponse<String> receive(String wf, String agent, String query) {
        HttpResponse<String> r = get("/v1/workflows/" + wf + "/agents/" + agent + "/messages" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private void send(String wf, String target, int n) {
        for (int i = 0; i < n; i++) {
            sendMessage(wf, "{\"source_agent\":\"producer\",\"target_agent\":\"" + target + "\",\"payload\":{\"i\":" + i + "}}");
        }
    }

    @Test
    void aRequestAboveTheCapsIsToldWhatWasApplied() {
        String wf = newWorkflow();
        send(wf, "reader", 3);
        // the PR's client may ask for 30 s and 1000 messages; messages are waiting, so this returns at once
        HttpResponse<String> r = receive(wf, "reader", "?timeout=30&max_messages=1000");
        assertThat(r.headers().firstValue("X-Caravan-Applied-Timeout")).contains("25");
        assertThat(r.headers().firstValue("X-Caravan-Applied-Limit")).contains("100");
        JsonNode body = json(r);
        assertThat(body.get("count").asInt()).isEqualTo(3);
        assertThat(body.get("has_more").asBoolean()).isFalse();
    }

    @Test
    void withinTheCapsTheAppliedValuesAreTheRequestedOnes() {
        String wf = newWorkflow();
        send(wf, "reader", 1);
        HttpResponse<String> r = receive(wf, "reader", "?timeout=5.5&max_messages=10");
        assertThat(r.headers().firstValue("X-Caravan-Applied-Timeout")).contains("5.5");
        assertThat(r.headers().firstValue("X-Caravan-Applied-Limit")).contains("10");
        // defaults: 1 s and the PR's 100 messages
        HttpResponse<String> defaults = receive(wf, "reader", "?timeout=0");
        assertThat(defaults.headers().firstValue("X-Caravan-Applied-Timeout")).contains("0");
        assertThat(defaults.headers().firstValue("X-Caravan-Applied-Limit")).contains("100");
    }

    @Test
    void moreWaitingThanTheLimitSaysHasMore() {
        String wf = newWorkflow();
        send(wf, "busy", 104);
        JsonNode first = json(receive(wf, "busy", "?timeout=1")); // the PR's default of 100 messages
        assertThat(first.get("count").asInt()).isEqualTo(100);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        JsonNode rest = json(receive(wf, "busy", "?timeout=1"));
        assertThat(rest.get("count").asInt()).isEqualTo(4);
        assertThat(rest.get("has_more").asBoolean()).isFalse();
    }

    @Test
    void aClientCannotSetTheAppliedHeadersItself() {
        String wf = newWorkflow();
        HttpResponse<String> r;
        try {
            r = http.send(java.net.http.HttpRequest.newBuilder(uri("/v1/workflows/" + wf + "/agents/x/messages?timeout=0"))
                    .header("X-Caravan-Applied-Limit", "999").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(r.headers().allValues("X-Caravan-Applied-Limit")).containsExactly("100");
    }
}
