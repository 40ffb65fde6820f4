package dev.caravan.http.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.web.servlet.error.ErrorAttributes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The error page's format for the management port. Defined in the application's context, where Spring
 * Boot looks for {@code ErrorAttributes} before it makes its default and hands it to the management
 * context's error endpoint.
 */
@Configuration(proxyBeanMethods = false)
public class ManagementErrorConfiguration {

    @Bean
    ErrorAttributes managementErrorAttributes(ObjectMapper mapper) {
        return new ManagementErrorAttributes(mapper);
    }
}
