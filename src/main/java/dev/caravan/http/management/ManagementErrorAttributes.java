package dev.caravan.http.management;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.OpenAiErrorResponse;
import java.util.Map;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.web.servlet.error.DefaultErrorAttributes;
import org.springframework.web.context.request.WebRequest;

/**
 * The management port's error page ({@code /error}, where Spring Security's 401, unknown
 * paths, wrong methods and failed endpoints are dispatched) as an OpenAI error body instead of Spring
 * Boot's {@code {timestamp, status, error, path}}. The servlet container serves only the management
 * port (the API port is Vert.x), so this is the only error page it changes; Boot's management context
 * picks it up as the parent's {@code ErrorAttributes}.
 */
public class ManagementErrorAttributes extends DefaultErrorAttributes {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private final ObjectMapper mapper;

    public ManagementErrorAttributes(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
        Map<String, Object> boot = super.getErrorAttributes(request, ErrorAttributeOptions.defaults());
        int status = boot.get("status") instanceof Integer s ? s : 500;
        String path = boot.get("path") instanceof String p ? p : null; // the request's path, not /error
        return mapper.convertValue(OpenAiErrorResponse.body(mapper, ManagementErrors.of(status, path, getError(request), null)), MAP);
    }
}
