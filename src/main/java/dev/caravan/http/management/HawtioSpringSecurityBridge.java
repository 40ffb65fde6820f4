package dev.caravan.http.management;

import io.hawt.web.auth.AuthenticationConfiguration;
import jakarta.servlet.ServletContext;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.jaas.SecurityContextLoginModule;
import org.springframework.web.context.ServletContextAware;

/**
 * Makes Hawtio take Spring Security's login as its own. Hawtio 5.2.0's context listener switches to
 * "Spring Security" authentication only if it can load {@code HawtioSpringSecurityLoginModule}, which
 * its jar does not ship; it then falls back to a JAAS realm nobody configured, and every console
 * request is refused. This does what the listener would have done: mark Spring Security enabled (the
 * console then asks the servlet request who is logged in) and log in through Spring's security
 * context, with {@link SpringSecurityRolesLoginModule} for the roles.
 *
 * <p>A bean of the management context: it is initialised after the servlet container has run
 * Hawtio's listener and before the management port accepts its first request.
 */
class HawtioSpringSecurityBridge implements ServletContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(HawtioSpringSecurityBridge.class);

    @Override
    public void setServletContext(ServletContext servletContext) {
        if (servletContext.getAttribute("ConfigManager") == null) {
            return; // not the servlet context Hawtio runs in (component scanning also finds this in the main context)
        }
        AuthenticationConfiguration config = AuthenticationConfiguration.getConfiguration(servletContext);
        if (!config.isEnabled() || config.isSpringSecurityEnabled()) {
            return; // hawtio.authenticationEnabled=false, or a Hawtio that integrates by itself
        }
        config.setSpringSecurityEnabled(true);
        config.addConfiguration(new SpringSecurityJaas(config));
        config.initializationComplete(servletContext);
        LOG.info("Hawtio authenticates through Spring Security (the management port's login)");
    }

    /** Every realm name gets the same two modules: Spring's security context, then its roles. */
    private static final class SpringSecurityJaas extends Configuration {
        private final AppConfigurationEntry[] entries;

        SpringSecurityJaas(AuthenticationConfiguration config) {
            entries = new AppConfigurationEntry[] {
                new AppConfigurationEntry(SecurityContextLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED, Map.of()),
                new AppConfigurationEntry(SpringSecurityRolesLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED,
                        Map.of(AuthenticationConfiguration.class.getName(), config))
            };
        }

        @Override
        public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            return entries.clone();
        }
    }
}
