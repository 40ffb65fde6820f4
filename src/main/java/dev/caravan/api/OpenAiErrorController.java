package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the servlet container answers on its own (no route for the path, a method the route does
 * not take, a request it could not read) in the same OpenAI error format as the routes, instead of
 * Spring's default page.
 */
@RestController
public class OpenAiErrorController implements ErrorController {

    private final ObjectMapper mapper;

    public OpenAiErrorController(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @RequestMapping("/error")
    public ResponseEntity<byte[]> error(HttpServletRequest request) throws Exception {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
        HttpStatus http = HttpStatus.resolve(status);
        GatewayException error = switch (status) {
            case 404 -> GatewayException.notFound("not_found", null, "No such endpoint: " + path);
            case 405 -> new GatewayException(405, "invalid_request_error", "method_not_allowed", null,
                    "Method not allowed on " + path, null);
            default -> new GatewayException(status, status < 500 ? "invalid_request_error" : "internal_error",
                    http == null ? "error" : http.name().toLowerCase(java.util.Locale.ROOT), null,
                    http == null ? "Request failed" : http.getReasonPhrase(), null);
        };
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(mapper.writeValueAsBytes(OpenAiErrorResponse.body(mapper, error)));
    }
}
