package dev.caravan.messaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.URIParameter;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in to the embedded broker: the users the gateway configures itself (its own, the shared
 * agent user, one per API key), and where {@code caravan.messaging.jaas.domain} names one, the login
 * modules of that entry of a JAAS login configuration, so that an organisation's directory (LDAP) or
 * its own files hold its agents' logins. The gateway's users are tried first and suffice: a directory
 * that is down or slow never locks the gateway out of its own broker, and a key's login never reaches it.
 */
final class BrokerLogins extends SecurityConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLogins.class);

    private final AppConfigurationEntry[] directory;

    private BrokerLogins(AppConfigurationEntry[] directory) {
        this.directory = directory;
    }

    static BrokerLogins of(MessagingProperties.Jaas jaas) {
        if (jaas.getDomain().isEmpty()) {
            return new BrokerLogins(new AppConfigurationEntry[0]);
        }
        AppConfigurationEntry[] entries = entries(jaas);
        List<String> modules = new ArrayList<>();
        for (AppConfigurationEntry entry : entries) {
            modules.add(entry.getLoginModuleName() + " (" + entry.getControlFlag() + ")");
        }
        LOG.info("Broker logins: the gateway's users, then JAAS domain '{}': {}", jaas.getDomain(), modules);
        return new BrokerLogins(entries);
    }

    /** The login modules that follow the gateway's own users; none without a JAAS domain. */
    int directoryModules() {
        return directory.length;
    }

    @Override
    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        AppConfigurationEntry[] own = super.getAppConfigurationEntry(name);
        if (directory.length == 0) {
            return own;
        }
        List<AppConfigurationEntry> all = new ArrayList<>(own.length + directory.length);
        for (AppConfigurationEntry entry : own) {
            all.add(new AppConfigurationEntry(entry.getLoginModuleName(), LoginModuleControlFlag.SUFFICIENT, entry.getOptions()));
        }
        all.addAll(List.of(directory));
        return all.toArray(new AppConfigurationEntry[0]);
    }

    /** Read once at start: a domain that is not there fails the start, not the first agent's login. */
    private static AppConfigurationEntry[] entries(MessagingProperties.Jaas jaas) {
        String where;
        Configuration configuration;
        if (jaas.getLoginConfig().isEmpty()) {
            where = "the JVM's login configuration (java.security.auth.login.config)";
            configuration = Configuration.getConfiguration();
        } else {
            Path file = Path.of(jaas.getLoginConfig());
            where = file.toString();
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("caravan.messaging.jaas.login-config: cannot read " + file);
            }
            try {
                // Its own instance: the JVM-wide configuration (and other contexts in this JVM) stay as they are.
                configuration = Configuration.getInstance("JavaLoginConfig", new URIParameter(file.toUri()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("caravan.messaging.jaas.login-config: " + file + " is not a JAAS login configuration", e);
            }
        }
        AppConfigurationEntry[] entries = configuration.getAppConfigurationEntry(jaas.getDomain());
        if (entries == null || entries.length == 0) {
            throw new IllegalStateException("caravan.messaging.jaas.domain: no entry '" + jaas.getDomain() + "' in " + where);
        }
        return entries;
    }
}
