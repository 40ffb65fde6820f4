package dev.caravan.workflows;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
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

    /** Then forgets what belonged to expired workflows (their owners); errors are logged, the next sweep retries. */
    private final Runnable afterSweep;

    public WorkflowExpirySweeper(WorkflowRegistry registry, Duration interval) {
        this(registry, interval, () -> { });
    }

    public WorkflowExpirySweeper(WorkflowRegistry registry, Duration interval, Runnable afterSweep) {
        this.registry = registry;
        this.interval = interval;
        this.afterSweep = afterSweep;
    }

    private void sweep() {
        registry.sweep();
        try {
            afterSweep.run();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(WorkflowExpirySweeper.class).warn("Workflow owner sweep failed: {}", e.getMessage());
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-workflow-expiry");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
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
