package dev.caravan.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Time scale 0: the proxy benchmark's stub. Many concurrent clients, every answer complete and counted. */
class ZeroDelayStubTest {

    @Test
    void concurrentMixedTrafficIsAnsweredCompletelyAndCountedExactly() throws Exception {
        try (SimulatedEngine engine = SimulatedEngine.start(SimulatorConfig.builder().timeScale(0).build())) {
            SimHttp http = new SimHttp(engine);
            ExecutorService clients = Executors.newFixedThreadPool(8);
            AtomicInteger ok = new AtomicInteger();
            List<Future<?>> all = new ArrayList<>();
            int perClient = 60;
            for (int c = 0; c < 8; c++) {
                int client = c;
                all.add(clients.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        ObjectNode body = i % 2 == 0 ? SimHttp.completion("shared system prompt " + (i % 5), 4)
                                : SimHttp.chat("client " + client + " turn " + i, 4);
                        boolean stream = i % 3 == 0;
                        body.put("stream", stream);
                        String path = i % 2 == 0 ? "/v1/completions" : "/v1/chat/completions";
                        HttpResponse<String> r = http.post(path, body);
                        if (r.statusCode() == 200 && (!stream || r.body().endsWith("data: [DONE]\n\n"))) {
                            ok.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            clients.shutdown();
            int total = 8 * perClient;
            assertThat(ok.get()).isEqualTo(total);
            SimulatorStats s = engine.stats();
            assertThat(s.requestsReceived()).isEqualTo(total);
            assertThat(s.requestsCompleted()).isEqualTo(total);
            assertThat(s.generationTokens()).isEqualTo(4L * total);
            assertThat(s.running()).isZero();
            assertThat(s.kvCacheUsage()).isZero();
            assertThat(s.timeToFirstTokenCount()).isEqualTo(total);
        }
    }
}
