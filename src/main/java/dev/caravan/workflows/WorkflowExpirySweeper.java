package dev.caravan.workflows;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Expires idle workflows on an interval: without it a workflow that stopped sending requests would
 * hold its routing state (and its queues) until the next request happened to trigger a sweep.
 * Not an executor bean on purpose: Spring would then skip its own task executor.
 */
public class WorkflowExpirySweeper implements SmartLifecycle {

    private final WorkflowRegistry registry;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    public WorkflowExpirySweeper(WorkflowRegistry registry, Duration interval) {
        this.registry = registry;
        this.interval = interval;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-workflow-expiry");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(registry::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
