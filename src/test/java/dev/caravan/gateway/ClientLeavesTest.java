package dev.caravan.gateway;

import static dev.caravan.gateway.WorkflowPlacementEndToEndTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.placement.admission.AdmissionQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A client that closes its connection before its answer is complete wants nothing more: a request
 * waiting in the admission queue leaves it (and never reaches an engine), and a non-streamed request
 * an engine is working on is closed there too, so its slot is free at once (vLLM aborts a request
 * whose connection closes). Streams are covered in {@link FailoverTest}.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.simulator.engines=2",
        "caravan.simulator.options.time-scale=0.2",
        "caravan.engine-client.scrape-interval=200ms",
        "caravan.routing.saturation-per-engine=1"})
class ClientLeavesTest extends GatewayTestSupport {

    @Autowired
    AdmissionQueue admission;
    @Autowired
    MeterRegistry meters;

    @Test
    @Timeout(60)
    void aQueuedClientThatLeavesGivesUpItsPlaceAndNeverReachesAnEngine() throws Exception {
        sims().forEach(sim -> sim.faults().stall(true));
        long before = received();
        List<CompletableFuture<HttpResponse<String>>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(send(request("blocker " + i, 5, null)));
        }
        await("both engines hold a request", () -> received() == before + 2 && inFlight() == 2);
        long leftBefore = admission.leftWhileQueued();

        try (Socket client = rawPost(request("I will not wait", 5, null))) {
            await("the request waits in the queue", () -> admission.size() == 1);
        } // the client gives up

        await("the queue is empty again", () -> admission.size() == 0);
        assertThat(admission.leftWhileQueued()).isEqualTo(leftBefore + 1);

        sims().forEach(sim -> sim.faults().stall(false));
        for (CompletableFuture<HttpResponse<String>> b : blockers) {
            assertThat(b.get().statusCode()).isEqualTo(200);
        }
        HttpResponse<String> after = post("/v1/chat/completions", request("still served", 3, null));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(received() - before).as("the blockers and the request after, never the one that left").isEqualTo(3);
        await("no admission slot stays reserved", () -> admission.reserved() == 0);
    }

    @Test
    @Timeout(60)
    void aClientThatLeavesWhileTheEngineWorksFreesTheEngineSlotAtOnce() throws Exception {
        sims().forEach(sim -> sim.faults().stall(true));
        long before = received();
        try (Socket client = rawPost(request("a long answer nobody will read", 500, null))) {
            await("an engine holds the request", () -> received() == before + 1 && inFlight() == 1);
        } // the client gives up while the engine is still working

        // The engine is still stalled: only the gateway closing its engine request frees the slot now.
        await("the engine slot is free", () -> inFlight() == 0);
        await("the request that left is counted", () -> meters.find("caravan.error.responses")
                .tags("status", "499", "code", "client_closed_request").counters().stream()
                .mapToDouble(c -> c.count()).sum() >= 1);

        sims().forEach(sim -> sim.faults().stall(false));
        HttpResponse<String> after = post("/v1/chat/completions", request("next", 3, null));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(received()).as("nothing was retried for the client that left").isEqualTo(before + 2);
    }

    private long received() {
        return sims().stream().mapToLong(s -> s.stats().requestsReceived()).sum();
    }

    private int inFlight() {
        return registry.all().stream().mapToInt(e -> e.inFlight()).sum();
    }

    private CompletableFuture<HttpResponse<String>> send(String body) {
        return http.sendAsync(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client that sends its request and then only waits (or closes the socket). */
    private Socket rawPost(String body) throws Exception {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        Socket socket = new Socket("localhost", port);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
        return socket;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s for: " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
