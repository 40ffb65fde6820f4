package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's login chain: the gateway's users alone, or first and sufficient before a JAAS domain's modules. */
class BrokerLoginsTest {

    @TempDir
    Path dir;

    @Test
    void withoutADomainOnlyTheGatewaysUsers() {
        BrokerLogins logins = BrokerLogins.of(new MessagingProperties.Jaas());
        AppConfigurationEntry[] chain = logins.getAppConfigurationEntry(InVMLoginModule.class.getName());
        assertThat(chain).hasSize(1);
        assertThat(chain[0].getLoginModuleName()).isEqualTo(InVMLoginModule.class.getName());
        assertThat(logins.directoryModules()).isZero();
    }

    @Test
    void aDomainsModulesFollowTheGatewaysUsersWhichSuffice() throws Exception {
        Files.writeString(dir.resolve("login.config"), """
                agents {
                    org.apache.activemq.artemis.spi.core.security.jaas.PropertiesLoginModule required
                        org.apache.activemq.jaas.properties.user="users.properties"
                        org.apache.activemq.jaas.properties.role="roles.properties";
                };
                """);
        AppConfigurationEntry[] chain = BrokerLogins.of(jaas("agents", dir.resolve("login.config").toString()))
                .getAppConfigurationEntry(InVMLoginModule.class.getName());
        assertThat(chain).hasSize(2);
        assertThat(chain[0].getLoginModuleName()).isEqualTo(InVMLoginModule.class.getName());
        assertThat(chain[0].getControlFlag()).isEqualTo(LoginModuleControlFlag.SUFFICIENT);
        assertThat(chain[1].getLoginModuleName()).endsWith("PropertiesLoginModule");
        assertThat(chain[1].getControlFlag()).isEqualTo(LoginModuleControlFlag.REQUIRED);
    }

    @Test
    void aMissingFileOrDomainFailsTheStartByName() throws Exception {
        assertThatThrownBy(() -> BrokerLogins.of(jaas("agents", dir.resolve("absent.config").toString())))
                .hasMessageContaining("caravan.messaging.jaas.login-config").hasMessageContaining("absent.config");
        Files.writeString(dir.resolve("other.config"), "other { org.example.Module required; };\n");
        assertThatThrownBy(() -> BrokerLogins.of(jaas("agents", dir.resolve("other.config").toString())))
                .hasMessageContaining("no entry 'agents'");
    }

    private static MessagingProperties.Jaas jaas(String domain, String file) {
        MessagingProperties.Jaas jaas = new MessagingProperties.Jaas();
        jaas.setDomain(domain);
        jaas.setLoginConfig(file);
        return jaas;
    }
}
