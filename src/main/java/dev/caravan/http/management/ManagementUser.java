package dev.caravan.http.management;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Decides the management port's one account from configuration: a configured password is taken
 * as given (encoded when it carries an {@code {id}} prefix, plain otherwise) and never logged; without
 * one a random password is generated, logged once at WARN, and lives as long as the process.
 */
final class ManagementUser {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementUser.class);
    /** Spring Security's DelegatingPasswordEncoder form: {bcrypt}..., {noop}..., {pbkdf2}... */
    private static final Pattern ENCODED = Pattern.compile("^\\{[A-Za-z0-9_-]+\\}.*", Pattern.DOTALL);
    /** Hawtio's default authorised role ({@code hawtio.roles}: admin, manager, viewer). */
    static final String ROLE = "admin";

    private ManagementUser() {
    }

    static UserDetails from(ManagementSecurityProperties properties, SecureRandom random) {
        if (properties.getUsername().isEmpty()) {
            throw new IllegalStateException("caravan.management.username must not be empty");
        }
        String password = properties.getPassword();
        if (password.isEmpty()) {
            byte[] bytes = new byte[18];
            random.nextBytes(bytes);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            LOG.warn("\n\nUsing generated management password for user '{}': {}\n\nHawtio, Jolokia and the actuator "
                    + "endpoints on the management port need it; set caravan.management.password to choose one "
                    + "(docs/security.md).\n", properties.getUsername(), generated);
            password = "{noop}" + generated;
        } else if (!ENCODED.matcher(password).matches()) {
            password = "{noop}" + password;
        }
        return User.withUsername(properties.getUsername()).password(password).roles(ROLE).build();
    }
}
