package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.engines.EngineRegistry;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import java.util.function.BooleanSupplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/** The API-facing processors and filters. */
@Configuration(proxyBeanMethods = false)
public class ApiConfiguration {

    @Bean
    FilterRegistrationBean<JsonBodyWithoutContentType> jsonBodyWithoutContentType() {
        FilterRegistrationBean<JsonBodyWithoutContentType> reg = new FilterRegistrationBean<>(new JsonBodyWithoutContentType());
        reg.addUrlPatterns("/v1/*", "/tokenize", "/detokenize");
        reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return reg;
    }

    @Bean("listModels")
    ListModels listModels(EngineRegistry registry, ObjectMapper mapper) {
        return new ListModels(registry, mapper);
    }

    /** The broker is up when a connection to it can be opened (embedded or external alike). */
    @Bean("brokerProbe")
    BooleanSupplier brokerProbe(ObjectProvider<ConnectionFactory> connectionFactory) {
        return () -> {
            ConnectionFactory cf = connectionFactory.getIfAvailable();
            if (cf == null) {
                return false;
            }
            try (Connection c = cf.createConnection()) {
                return true;
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Bean("gatewayHealth")
    GatewayHealth gatewayHealth(EngineRegistry registry, BooleanSupplier brokerProbe, ObjectMapper mapper) {
        return new GatewayHealth(registry, brokerProbe, mapper);
    }

    @Bean("parsePassthroughRequest")
    PassthroughRequestParser parsePassthroughRequest(CompletionRequestParser parseCompletionRequest, RequestIds ids,
            @Value("${caravan.max-body-size:10MB}") DataSize maxBody) {
        return new PassthroughRequestParser(parseCompletionRequest, new BoundedBodyReader(maxBody.toBytes()), ids);
    }
}
