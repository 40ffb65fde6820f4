package dev.caravan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.CompletionCall;
import dev.caravan.core.EngineFailureException;
import dev.caravan.engines.Engine;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The completion journey as routes/openai.camel.yaml declares it, observed inside Camel: the
 * content-based branch on workflow_metadata, and the engineCall route's failover (its error handler
 * places the request again without the failed engine and redelivers once). Requests go through
 * real HTTP to simulated engines; AdviceWith only adds mock endpoints and one injected failure.
 */
@CamelSpringBootTest
@UseAdviceWith
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0"})
class CompletionRouteTest extends GatewayTestSupport {

    private static final String FAIL_ONCE = "x-test-fail-once";

    @Autowired
    CamelContext camel;
    @EndpointInject("mock:workflowBranch")
    MockEndpoint workflowBranch;
    @EndpointInject("mock:plainBranch")
    MockEndpoint plainBranch;
    @EndpointInject("mock:engineAnswered")
    MockEndpoint engineAnswered;

    /** The engine the injected failure blamed. */
    private final AtomicReference<Engine> blamed = new AtomicReference<>();
    private final AtomicInteger injected = new AtomicInteger();

    @BeforeEach
    void adviseOnce() throws Exception {
        if (camel.isStarted()) {
            MockEndpoint.resetMocks(camel);
            return;
        }
        AdviceWith.adviceWith(camel, "completion", route -> {
            route.weaveById("placeWorkflowRequest").after().to("mock:workflowBranch");
            route.weaveById("placePlainRequest").after().to("mock:plainBranch");
        });
        AdviceWith.adviceWith(camel, "engineCall", route -> {
            // The placed engine "refuses the connection" the first time a marked request reaches it.
            route.weaveById("forwardToEngine").before().process(exchange -> {
                if (exchange.getIn().getHeader(FAIL_ONCE) != null && exchange.getProperty("testFailedOnce") == null) {
                    exchange.setProperty("testFailedOnce", true);
                    Engine placed = CompletionCall.of(exchange).decision().engine();
                    blamed.set(placed);
                    injected.incrementAndGet();
                    throw new EngineFailureException(placed, "injected connect failure", null);
                }
            });
            route.weaveById("forwardToEngine").after().to("mock:engineAnswered");
        });
        camel.start();
    }

    private static String chat(String workflowMetadata) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"route me\"}],\"max_tokens\":2"
                + (workflowMetadata == null ? "" : ",\"workflow_metadata\":" + workflowMetadata) + "}";
    }

    @Test
    void requestsWithWorkflowMetadataTakeTheWorkflowBranchAndPlainOnesThePlainBranch() throws Exception {
        workflowBranch.expectedMessageCount(1);
        plainBranch.expectedMessageCount(2);
        engineAnswered.expectedMessageCount(3);

        assertThat(post("/v1/chat/completions", chat("{\"workflow_id\":\"route-wf\",\"agent_id\":\"analyst\"}")).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat(null)).statusCode()).isEqualTo(200);
        assertThat(post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"plain\",\"max_tokens\":2}").statusCode()).isEqualTo(200);

        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(CompletionCall.of(workflowBranch.getExchanges().get(0)).workflow()).isNotNull();
    }

    @Test
    void anEngineThatFailsBeforeAnsweringIsReplacedOnceByTheEngineCallRoute() throws Exception {
        NotifyBuilder oneCall = new NotifyBuilder(camel).fromRoute("chatCompletions")
                .wereSentTo("direct:engineCall").whenCompleted(1).create();
        engineAnswered.expectedMessageCount(1);

        HttpResponse<String> r = post("/v1/chat/completions", chat("{\"workflow_id\":\"route-failover\",\"agent_id\":\"a\"}"),
                FAIL_ONCE, "1");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(oneCall.matches(5, TimeUnit.SECONDS)).isTrue();
        MockEndpoint.assertIsSatisfied(camel, 5, TimeUnit.SECONDS);
        assertThat(injected.get()).isEqualTo(1);
        assertThat(r.headers().firstValue("x-caravan-engine").orElseThrow()).isNotEqualTo(blamed.get().id());
        assertThat(r.headers().firstValue("x-caravan-placement")).contains("failover");
    }
}
