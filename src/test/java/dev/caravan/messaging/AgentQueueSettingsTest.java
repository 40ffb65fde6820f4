package dev.caravan.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** broker.xml's per-agent-queue settings as the running broker sees them. */
class AgentQueueSettingsTest extends MessagingTestSupport {

    @Autowired
    EmbeddedActiveMQ broker;

    @Test
    void agentQueuesPreallocateASmallBufferAndKeepTheirGuarantees() {
        AddressSettings agent = broker.getActiveMQServer().getAddressSettingsRepository()
                .getMatch(AgentAddresses.queue(newWorkflow(), "someone"));
        // caravan.messaging.queue-buffer-size (128) instead of Artemis' 8192 slots per queue.
        assertThat(agent.getInitialQueueBufferSize()).isEqualTo(128);
        assertThat(agent.getMaxSizeBytes()).isEqualTo(MAX_QUEUE_BYTES);
        assertThat(agent.getAddressFullMessagePolicy().toString()).isEqualTo("FAIL");
        assertThat(agent.getMaxDeliveryAttempts()).isEqualTo(MAX_DELIVERY_ATTEMPTS);
        assertThat(agent.getDeadLetterAddress().toString()).isEqualTo(MessagingMetrics.DLQ);
        assertThat(agent.getExpiryAddress().toString()).isEqualTo(MessagingMetrics.EXPIRY);
    }

    @Test
    void theJournalSyncsEveryDurableSendWithinTwoMilliseconds() {
        var config = broker.getActiveMQServer().getConfiguration();
        // Artemis applies journal-buffer-timeout to the configured type only (NIO here, whose own
        // default is 3.3 ms); not shorter, or Artemis' flush thread may spin on a loaded host.
        assertThat(config.getJournalType().toString()).isEqualTo("NIO");
        assertThat(config.getJournalBufferTimeout_NIO()).isEqualTo(2_000_000);
        assertThat(config.isJournalSyncNonTransactional()).isTrue();
        assertThat(config.isJournalDatasync()).isTrue();
    }
}
