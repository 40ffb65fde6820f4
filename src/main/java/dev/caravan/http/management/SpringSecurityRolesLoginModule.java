package dev.caravan.http.management;

import io.hawt.web.auth.AuthenticationConfiguration;
import io.hawt.web.auth.RolePrincipal;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * The second half of Hawtio's JAAS login behind Spring Security: after Spring's
 * {@code SecurityContextLoginModule} has put the request's {@link Authentication} into the subject,
 * this turns its {@code ROLE_x} authorities into the role principals Hawtio checks against
 * {@code hawtio.roles}. Hawtio 5.2.0 names such a module ({@code HawtioSpringSecurityLoginModule})
 * but its jar does not carry it; see {@link HawtioSpringSecurityBridge}.
 */
public class SpringSecurityRolesLoginModule implements LoginModule {

    private Subject subject;
    private Class<? extends Principal> roleClass = RolePrincipal.class;
    private final List<Principal> added = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        if (options.get(AuthenticationConfiguration.class.getName()) instanceof AuthenticationConfiguration config
                && config.getDefaultRolePrincipalClass() != null) {
            roleClass = config.getDefaultRolePrincipalClass();
        }
    }

    @Override
    public boolean login() {
        return true;
    }

    @Override
    public boolean commit() {
        for (Authentication authentication : subject.getPrincipals(Authentication.class)) {
            for (GrantedAuthority authority : authentication.getAuthorities()) {
                String name = authority.getAuthority();
                if (name != null) {
                    added.add(role(name.startsWith("ROLE_") ? name.substring(5) : name));
                }
            }
        }
        subject.getPrincipals().addAll(added);
        return true;
    }

    private Principal role(String name) {
        try {
            return roleClass.getConstructor(String.class).newInstance(name);
        } catch (ReflectiveOperationException e) {
            return new RolePrincipal(name);
        }
    }

    @Override
    public boolean abort() {
        return logout();
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(added);
        added.clear();
        return true;
    }
}
