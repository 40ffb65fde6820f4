package dev.caravan.messaging;

import java.util.List;
import java.util.Optional;

/**
 * What the gateway asks of the broker beyond sending and receiving: queue existence, listing with
 * counters, deletion, liveness. Two implementations: {@link EmbeddedBrokerAdmin} calls the
 * in-process server's Java API; {@link ExternalBrokerAdmin} sends Artemis management messages to
 * {@code activemq.management} of an external broker ({@code spring.artemis.mode=native}), so
 * several stateless gateway replicas share one broker (cluster) and see the same queues.
 *
 * <p>Operations other than {@link #up()} throw {@link dev.caravan.core.GatewayException} 503
 * ({@code broker_unavailable}) when the broker cannot be reached.
 */
public interface BrokerAdmin {

    /** The broker is reachable and active (takes messages). Never throws. */
    boolean up();

    /** Creates the durable ANYCAST queue of that name on the address of the same name, unless it exists. */
    void ensureAnycastQueue(String name);

    /** Queues whose name starts with {@code prefix}, with counters. */
    List<QueueInfo> queues(String prefix);

    /** One queue's counters, empty when it does not exist. */
    Optional<QueueInfo> queue(String name);

    /**
     * Destroys the queue with its messages, closing its consumers, and removes its address when no
     * other queue is bound to it. Returns false when the queue did not exist.
     */
    boolean destroyQueue(String name);

    /** A queue as the broker reports it. {@code messageCount} includes messages being delivered. */
    record QueueInfo(String name, String address, boolean anycast, long messageCount, long deliveringCount,
                     int consumerCount, long messagesAdded, long messagesAcknowledged, long messagesExpired,
                     long messagesKilled) {

        /** An agent queue: ANYCAST and named like its address (MQTT subscription queues on the address are not). */
        boolean isAgentQueue() {
            return anycast && name.equals(address);
        }
    }
}
