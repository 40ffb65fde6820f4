package dev.caravan.http.management;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/** Beans of the management (child) context, where Hawtio's servlets, filters and listener live. */
@ManagementContextConfiguration(proxyBeanMethods = false)
@ConditionalOnClass(name = "io.hawt.web.auth.AuthenticationConfiguration")
public class HawtioManagementSecurityConfiguration {

    @Bean
    HawtioSpringSecurityBridge hawtioSpringSecurityBridge() {
        return new HawtioSpringSecurityBridge();
    }
}
