package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.server.JournalType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone-Artemis benchmark's settings transfer: what is read from an embedded broker's
 * configuration comes out of the rewritten broker.xml when Artemis itself parses it.
 */
class MatchedBrokerSettingsTest {

    /** The shape of what {@code artemis create --nio --no-autotune} writes (2.40.0), trimmed. */
    private static final String CREATED = """
            <?xml version='1.0'?>
            <configuration xmlns="urn:activemq" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                           xsi:schemaLocation="urn:activemq /schema/artemis-configuration.xsd">
               <core xmlns="urn:activemq:core" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="urn:activemq:core ">
                  <name>standalone</name>
                  <persistence-enabled>true</persistence-enabled>
                  <journal-type>NIO</journal-type>
                  <!-- a comment that stays -->
                  <journal-datasync>true</journal-datasync>
                  <journal-min-files>2</journal-min-files>
                  <journal-pool-files>10</journal-pool-files>
                  <journal-device-block-size>4096</journal-device-block-size>
                  <journal-file-size>10M</journal-file-size>
                  <max-disk-usage>90</max-disk-usage>
                  <acceptors>
                     <acceptor name="artemis">tcp://0.0.0.0:61616?amqpMinLargeMessageSize=102400;protocols=CORE,AMQP,STOMP,HORNETQ,MQTT,OPENWIRE;useEpoll=true</acceptor>
                  </acceptors>
               </core>
            </configuration>
            """;

    @Test
    void settingsReadFromTheEmbeddedBrokerComeBackFromTheRewrittenFile(@TempDir Path dir) throws Exception {
        ConfigurationImpl embedded = new ConfigurationImpl();
        embedded.setJournalType(JournalType.NIO);
        embedded.setJournalBufferTimeout_NIO(2_000_000);
        embedded.setJournalBufferSize_NIO(2_359_296);
        embedded.setJournalFileSize(10 * 1024 * 1024);
        embedded.setJournalPoolFiles(10);
        embedded.setMaxDiskUsage(95);
        embedded.setJournalSyncNonTransactional(true);
        embedded.addAcceptorConfiguration("native",
                "tcp://0.0.0.0:61616?protocols=CORE,AMQP,STOMP,MQTT;amqpCredits=1000;amqpLowCredits=300");
        embedded.addAcceptorConfiguration("in-vm", "vm://0");
        MatchedBrokerSettings settings = MatchedBrokerSettings.of(embedded);

        Path file = dir.resolve("broker.xml");
        String rewritten = settings.apply(CREATED, 40123);
        Files.writeString(file, rewritten);
        FileConfiguration parsed = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(file.toUri().toString());
        deployment.addDeployable(parsed);
        deployment.readConfiguration();

        assertThat(parsed.getJournalType()).isEqualTo(JournalType.NIO);
        assertThat(parsed.getJournalBufferTimeout_NIO()).isEqualTo(2_000_000);
        assertThat(parsed.getJournalBufferSize_NIO()).isEqualTo(2_359_296);
        assertThat(parsed.getJournalFileSize()).isEqualTo(10 * 1024 * 1024);
        assertThat(parsed.getMaxDiskUsage()).isEqualTo(95);
        assertThat(parsed.isJournalSyncNonTransactional()).isTrue();
        assertThat(parsed.getJournalDeviceBlockSize()).as("unset in the embedded broker: Artemis' default on both").isNull();
        assertThat(parsed.getAcceptorConfigurations()).hasSize(1);
        var acceptor = parsed.getAcceptorConfigurations().iterator().next();
        assertThat(acceptor.getName()).isEqualTo("native");
        assertThat(acceptor.getCombinedParams()).containsEntry("port", "40123").containsEntry("host", "127.0.0.1")
                .containsEntry("protocols", "CORE,AMQP,STOMP,MQTT").containsEntry("amqpCredits", "1000")
                .doesNotContainKey("useEpoll");
        assertThat(MatchedBrokerSettings.of(parsed)).as("the rewritten file reads back as the same settings").isEqualTo(settings);
        assertThat(rewritten).contains("a comment that stays").contains("<name>standalone</name>");
    }
}
