package dev.caravan.messaging;

import org.springframework.stereotype.Component;

/**
 * Whether the broker (embedded, or external with {@code spring.artemis.mode=native}) can take
 * messages now; the gateway's readiness check calls {@link #brokerUp()}.
 */
@Component("brokerStatus")
public class BrokerStatus {

    private final BrokerAdmin admin;

    public BrokerStatus(BrokerAdmin admin) {
        this.admin = admin;
    }

    public boolean brokerUp() {
        return admin.up();
    }
}
