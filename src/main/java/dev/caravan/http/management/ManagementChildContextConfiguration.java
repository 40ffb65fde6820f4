package dev.caravan.http.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.view.InternalResourceViewResolver;

/**
 * Beans of the management (child) context, whose servlet container serves the management port:
 * Hawtio's servlets, filters and listener live there, and its filters are the ones that see its requests.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class ManagementChildContextConfiguration {

    @Bean
    @ConditionalOnClass(name = "io.hawt.web.auth.AuthenticationConfiguration")
    HawtioSpringSecurityBridge hawtioSpringSecurityBridge() {
        return new HawtioSpringSecurityBridge();
    }

    /**
     * Hawtio's {@code /actuator/hawtio/jolokia} answers with the view {@code forward:/actuator/jolokia}.
     * The management DispatcherServlet looks up one view resolver, by the name {@code viewResolver}, and
     * without this one finds the main context's content-negotiating resolver, which drops a forward
     * whose (HTML) view type the request's {@code Accept: application/json} does not take: a 500 for
     * every Jolokia client that says what it reads. A forward has no content type of its own; this
     * resolver (the DispatcherServlet's own default) takes it whatever the request accepts.
     */
    @Bean(name = DispatcherServlet.VIEW_RESOLVER_BEAN_NAME)
    InternalResourceViewResolver managementViewResolver() {
        return new InternalResourceViewResolver();
    }

    /** Outermost, so that every error answer of the port, the login's included, passes it. */
    @Bean
    FilterRegistrationBean<ManagementErrorBodies> managementErrorBodies(ObjectMapper mapper) {
        FilterRegistrationBean<ManagementErrorBodies> registration = new FilterRegistrationBean<>(new ManagementErrorBodies(mapper));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }

    /**
     * Tomcat's error report in the OpenAI format, in place of the one Spring Boot adds to the host
     * (which is why this runs last).
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> managementErrorReport(ObjectMapper mapper) {
        return new ErrorReportCustomizer(mapper);
    }

    private record ErrorReportCustomizer(ObjectMapper mapper) implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Pipeline host = context.getParent().getPipeline();
                for (Valve valve : host.getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.removeValve(valve);
                    }
                }
                host.addValve(new OpenAiErrorReportValve(mapper));
                // The host adds a valve of this class at its start unless one is there already.
                if (context.getParent() instanceof StandardHost standardHost) {
                    standardHost.setErrorReportValveClass(OpenAiErrorReportValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
