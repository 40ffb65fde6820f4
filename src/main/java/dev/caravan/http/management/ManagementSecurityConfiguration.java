package dev.caravan.http.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.StringUtils;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The management port's login (Spring Security). Only the servlet container's requests pass this
 * filter chain, and the servlet container serves only the management port: the API port is Vert.x
 * (platform-http) and never sees it, nor this account.
 *
 * <ul>
 *   <li>Open: {@code health} (groups, liveness and readiness probes) and, unless
 *       {@code caravan.management.protect-prometheus}, {@code prometheus}.</li>
 *   <li>Everything else (Hawtio, Jolokia, camelroutes, metrics, info, ...) needs the operator account:
 *       a browser asking for a page is sent to the login form, any other client gets 401 with a
 *       Basic challenge (scripts, Jolokia clients, Prometheus with basic auth).</li>
 *   <li>CSRF: the console's Jolokia POSTs carry the {@code XSRF-TOKEN} cookie back as
 *       {@code X-XSRF-TOKEN} (what Hawtio's front end sends). A request that brings its own
 *       {@code Authorization} header, or no session cookie at all, is not riding on a browser's
 *       login, so it needs no token.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ManagementSecurityProperties.class)
public class ManagementSecurityConfiguration {

    static final String REALM = "caravan-management";

    @Bean
    PasswordEncoder managementPasswordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** Also keeps Spring Boot from creating its default user with a generated password of its own. */
    @Bean
    InMemoryUserDetailsManager managementUsers(ManagementSecurityProperties properties) {
        return new InMemoryUserDetailsManager(ManagementUser.from(properties, new SecureRandom()));
    }

    /**
     * A request Spring Security's firewall refuses (a method outside GET, POST, PUT, DELETE, PATCH, HEAD,
     * OPTIONS; an encoded "." or ";" in the path) is answered 400 with the firewall's reason in the OpenAI
     * error body. Its default sends the error page, and Tomcat's own error dispatch for TRACE passes the
     * firewall again: both ended in an empty body.
     */
    @Bean
    RequestRejectedHandler managementRequestRejected(ObjectMapper mapper) {
        return (request, response, rejected) -> ManagementErrorBodies.answer(request, response, mapper,
                ManagementErrors.of(HttpServletResponse.SC_BAD_REQUEST, requestedPath(request), rejected, rejected.getMessage()));
    }

    /** The path the client asked for, also when the firewall judges Tomcat's error dispatch to /error. */
    private static String requestedPath(HttpServletRequest request) {
        return request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String original ? original : request.getRequestURI();
    }

    @Bean
    SecurityFilterChain managementFilterChain(HttpSecurity http, ManagementSecurityProperties properties, ObjectMapper mapper)
            throws Exception {
        BasicAuthenticationEntryPoint basic = new BasicAuthenticationEntryPoint();
        basic.setRealmName(REALM);
        basic.afterPropertiesSet();
        http.authorizeHttpRequests(authorize -> {
            // sendError(401/403/404) dispatches to /error; the original request was already judged
            authorize.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
            authorize.requestMatchers(EndpointRequest.to("health")).permitAll();
            if (!properties.isProtectPrometheus()) {
                authorize.requestMatchers(EndpointRequest.to("prometheus")).permitAll();
            }
            authorize.anyRequest().authenticated();
        });
        http.formLogin(form -> form.permitAll());
        http.httpBasic(b -> b.realmName(REALM).authenticationEntryPoint(basic));
        http.exceptionHandling(e -> {
            entryPoints(e, basic);
            // A refused request (above all a missing CSRF token: the CSRF filter hands it to this handler) is
            // answered here with its reason; the default sends the error page, which no longer knows it.
            e.accessDeniedHandler((request, response, denied) -> ManagementErrorBodies.answer(request, response, mapper,
                    ManagementErrors.of(HttpServletResponse.SC_FORBIDDEN, request.getRequestURI(), denied, null)));
        });
        http.csrf(csrf -> csrf
                .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                .csrfTokenRequestHandler(new HeaderOrFormCsrfTokenHandler())
                .ignoringRequestMatchers(new RequestHeaderRequestMatcher(HttpHeaders.AUTHORIZATION), ManagementSecurityConfiguration::noSessionToRideOn));
        http.addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
        return http.build();
    }

    /**
     * A request that brings no session cookie carries no one's login, so a forged one gains nothing:
     * it is judged as anonymous (401) instead of being refused for its missing token (403). The login
     * form itself keeps its token (no logging a victim into someone else's account).
     */
    private static boolean noSessionToRideOn(HttpServletRequest request) {
        return request.getRequestedSessionId() == null && !"/login".equals(request.getServletPath());
    }

    /**
     * Browsers navigating to a page go to the login form; everything else is told 401 with a Basic
     * challenge. Registered as defaults (not as the one entry point) so that Spring Security still
     * generates its login page.
     */
    private static void entryPoints(ExceptionHandlingConfigurer<HttpSecurity> exceptions, BasicAuthenticationEntryPoint basic) {
        MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(new HeaderContentNegotiationStrategy(), MediaType.TEXT_HTML);
        html.setIgnoredMediaTypes(Set.of(MediaType.ALL));
        RequestMatcher page = request -> html.matches(request) && request.getHeader("X-Requested-With") == null;
        exceptions.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"), page);
        exceptions.defaultAuthenticationEntryPointFor(basic, AnyRequestMatcher.INSTANCE);
    }

    /**
     * The token as a header (Hawtio copies the cookie's raw value) or as the login form's hidden field
     * (masked, BREACH-safe): the single-page-application arrangement Spring Security documents.
     */
    static final class HeaderOrFormCsrfTokenHandler extends CsrfTokenRequestAttributeHandler {
        private final CsrfTokenRequestHandler masked = new XorCsrfTokenRequestAttributeHandler();

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> token) {
            masked.handle(request, response, token);
        }

        @Override
        public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken token) {
            return StringUtils.hasText(request.getHeader(token.getHeaderName()))
                    ? super.resolveCsrfTokenValue(request, token)
                    : masked.resolveCsrfTokenValue(request, token);
        }
    }

    /** Loads the deferred token on every request so that the browser has the XSRF-TOKEN cookie before its first POST. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (request.getHeader(HttpHeaders.AUTHORIZATION) == null
                    && request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
