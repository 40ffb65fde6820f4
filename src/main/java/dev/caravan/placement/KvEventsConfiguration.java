package dev.caravan.placement;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.engines.EngineRegistry;
import dev.caravan.placement.kvevents.KvEventStreams;
import dev.caravan.placement.kvevents.KvEventsProperties;
import dev.caravan.placement.kvevents.PromptTokenizer;
import dev.caravan.placement.prefix.PrefixIndex;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Precise placement from vLLM KV events: the engines' streams, the block index they fill (handed to
 * the prefix index, whose matches then prefer it where a stream is healthy) and the tokenising step
 * of the completion route.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KvEventsProperties.class)
public class KvEventsConfiguration {

    @Bean(destroyMethod = "close")
    public KvEventStreams kvEventStreams(EngineRegistry engines, KvEventsProperties properties, PrefixIndex prefixIndex) {
        KvEventStreams streams = new KvEventStreams(engines, properties);
        if (streams.any()) {
            prefixIndex.usePrecise(streams);
        }
        return streams;
    }

    @Bean
    public PromptTokenizer promptTokenizer(KvEventsProperties properties, ObjectMapper mapper) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "caravan-tokenize-io");
                    t.setDaemon(true);
                    return t;
                }))
                .build();
        return new PromptTokenizer(client, mapper, properties.getTokenizeTimeout(), properties.getTokenCacheSize());
    }

    @Bean
    public BridgeKvEventLag bridgeKvEventLag(KvEventStreams streams) {
        return new BridgeKvEventLag(streams);
    }

    @Bean("tokenizeForPlacement")
    public TokenizeForPlacement tokenizeForPlacement(EngineRegistry engines, KvEventStreams streams, PromptTokenizer tokenizer) {
        return new TokenizeForPlacement(engines, streams, tokenizer);
    }
}
