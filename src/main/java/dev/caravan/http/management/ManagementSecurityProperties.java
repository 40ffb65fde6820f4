package dev.caravan.http.management;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.management.*}: who may use the management port (Hawtio, Jolokia, actuator). One
 * operator account; {@code health} (with its groups and probes) is always open, {@code prometheus}
 * unless {@code protect-prometheus} is set.
 */
@ConfigurationProperties(prefix = "caravan.management")
public class ManagementSecurityProperties {

    /** {@code caravan.management.username}: the operator's login. Default {@code admin}. */
    private String username = "admin";

    /**
     * {@code caravan.management.password}: plain text, or encoded with Spring Security's prefix
     * ({@code {bcrypt}$2a$...}, {@code {noop}secret}). Empty: a random one is generated at start and
     * logged once at WARN.
     */
    private String password = "";

    /** {@code caravan.management.protect-prometheus}: put {@code /actuator/prometheus} behind the login too. */
    private boolean protectPrometheus = false;

    public String getUsername() { return username; }
    public void setUsername(String username) { this.username = username == null ? "" : username.trim(); }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password == null ? "" : password; }
    public boolean isProtectPrometheus() { return protectPrometheus; }
    public void setProtectPrometheus(boolean protectPrometheus) { this.protectPrometheus = protectPrometheus; }
}
