package dev.caravan.placement;

import dev.caravan.core.CompletionCall;
import dev.caravan.engines.Engine;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.kvevents.KvEventStreams;
import dev.caravan.placement.kvevents.PromptTokenizer;
import java.util.List;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The route step before placement that gets the prompt's token ids for precise placement, only when
 * it can pay off: some engine that could serve the request has a healthy KV event stream. The
 * engine asked is one of those (engines of a model share its tokenizer). Asynchronous, with the
 * tokenizer's deadline; without token ids placement is approximate, never held up.
 */
public class TokenizeForPlacement extends AsyncProcessorSupport {

    private final EngineRegistry engines;
    private final KvEventStreams streams;
    private final PromptTokenizer tokenizer;

    public TokenizeForPlacement(EngineRegistry engines, KvEventStreams streams, PromptTokenizer tokenizer) {
        this.engines = engines;
        this.streams = streams;
        this.tokenizer = tokenizer;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        CompletionCall call = CompletionCall.of(exchange);
        Engine asked = streams.any() ? engineToAsk(call) : null;
        if (asked == null) {
            callback.done(true);
            return true;
        }
        boolean chat = call.path().contains("chat");
        tokenizer.tokens(call.body(), chat, asked, engines.apiKey(asked)).whenComplete((ids, error) -> {
            if (ids != null) call.request().promptTokens().set(ids);
            callback.done(false);
        });
        return false;
    }

    private Engine engineToAsk(CompletionCall call) {
        List<Engine> candidates = engines.candidates(call.model(), call.request().excluded());
        for (Engine e : candidates) {
            if (streams.healthy(e)) return e;
        }
        return null;
    }
}
