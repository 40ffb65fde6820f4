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
    void theJournalSyncsEveryDurableSendAfterAtMostHalfAMillisecondWhateverItsType() {
        var config = broker.getActiveMQServer().getConfiguration();
        // ASYNCIO falls back to NIO without libaio; the short gathering window must survive that.
        assertThat(config.getJournalBufferTimeout_NIO()).isEqualTo(500_000);
        assertThat(config.getJournalBufferTimeout_AIO()).isEqualTo(500_000);
        assertThat(config.isJournalSyncNonTransactional()).isTrue();
        assertThat(config.isJournalDatasync()).isTrue();
    }
}
