package dev.caravan.http.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/** How the configured password becomes the account's: plain, {id}-encoded, or generated. */
class ManagementUserTest {

    final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();

    static UserDetails user(String name, String password) {
        ManagementSecurityProperties p = new ManagementSecurityProperties();
        p.setUsername(name);
        p.setPassword(password);
        return ManagementUser.from(p, new SecureRandom());
    }

    @Test
    void aPlainPasswordIsTakenAsIt() {
        UserDetails u = user("ops", "s3cret{with}braces");
        assertThat(encoder.matches("s3cret{with}braces", u.getPassword())).isTrue();
        assertThat(encoder.matches("s3cret", u.getPassword())).isFalse();
        assertThat(u.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_admin");
    }

    @Test
    void bcryptAndNoopEncodedPasswordsAreDecodedNotTakenLiterally() {
        String hash = new BCryptPasswordEncoder(4).encode("scrape-me");
        UserDetails bcrypt = user("scraper", "{bcrypt}" + hash);
        assertThat(encoder.matches("scrape-me", bcrypt.getPassword())).isTrue();
        assertThat(encoder.matches("{bcrypt}" + hash, bcrypt.getPassword())).isFalse();
        assertThat(encoder.matches("plain", user("x", "{noop}plain").getPassword())).isTrue();
    }

    @Test
    void withoutAPasswordEachStartGeneratesItsOwn() {
        String a = user("admin", "").getPassword();
        String b = user("admin", "").getPassword();
        assertThat(a).startsWith("{noop}").isNotEqualTo(b);
        assertThat(a.length()).isGreaterThan("{noop}".length() + 20);
    }

    @Test
    void anEmptyUsernameIsRefused() {
        assertThatThrownBy(() -> user(" ", "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("caravan.management.username");
    }
}
