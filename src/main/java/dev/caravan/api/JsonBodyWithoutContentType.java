package dev.caravan.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API only speaks JSON, but curl's {@code -d} sends it labelled as a form, and some clients
 * send no Content-Type at all. Left alone, the servlet container would parse such a body as form
 * fields and the route would see nothing, so POST bodies without a JSON type are relabelled
 * before anyone reads them.
 */
public class JsonBodyWithoutContentType extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType();
        if ("POST".equals(request.getMethod()) && (type == null || type.startsWith("application/x-www-form-urlencoded")
                || type.startsWith("text/plain"))) {
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public String getContentType() { return "application/json"; }

                @Override
                public String getHeader(String name) {
                    return "content-type".equalsIgnoreCase(name) ? "application/json" : super.getHeader(name);
                }

                @Override
                public Enumeration<String> getHeaders(String name) {
                    return "content-type".equalsIgnoreCase(name)
                            ? Collections.enumeration(java.util.List.of("application/json"))
                            : super.getHeaders(name);
                }

                @Override
                public String getParameter(String name) { return null; }

                @Override
                public Map<String, String[]> getParameterMap() { return Map.of(); }

                @Override
                public Enumeration<String> getParameterNames() { return Collections.emptyEnumeration(); }

                @Override
                public String[] getParameterValues(String name) { return null; }
            }, response);
            return;
        }
        chain.doFilter(request, response);
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return true;
    }
}
