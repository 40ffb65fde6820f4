package dev.caravan.workflows;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.caravan.core.CompletionCall;
import dev.caravan.core.GatewayException;
import dev.caravan.core.WorkflowIds;
import dev.caravan.core.WorkflowMetadata;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import org.apache.camel.Exchange;

/**
 * Per workflow rate limit ({@code caravan.limits.workflow-rate-limit.*}): each workflow may start
 * {@code requests} completions and message sends per {@code period}, whichever key or agent sends
 * them; one more is answered 429 {@code rate_limit_exceeded} with {@code Retry-After} until its next
 * permit, before admission (a refused completion never queues or steers placement) and without
 * waiting. A runaway agent loop then stalls its own workflow, not the engines every workflow shares.
 * Polls, acknowledgements, streams and status reads are not counted: they cost the engines nothing,
 * and an agent that may not poll cannot drain the queue it is told to slow down on.
 *
 * <p>The same limiter as the per-key limit (resilience4j's, so both answer alike and Retry-After is
 * the exact wait), one per workflow in a bounded cache: workflows are unbounded in number, and a
 * workflow idle past two periods has a full bucket again, so forgetting its limiter changes nothing.
 * Camel's throttle EIP was not used: its rejection says nothing of when to retry.
 */
public final class WorkflowRateLimit {

    private final LoadingCache<String, RateLimiter> limiters;
    private final int requests;
    private final Duration period;

    /** @param requests per workflow and period; 0 turns the limit off */
    public WorkflowRateLimit(int requests, Duration period, int maxTracked) {
        this.requests = requests;
        this.period = period;
        RateLimiterConfig config = requests > 0
                ? RateLimiterConfig.custom().limitForPeriod(requests).limitRefreshPeriod(period)
                        .timeoutDuration(Duration.ZERO).build()
                : null;
        this.limiters = Caffeine.newBuilder().maximumSize(Math.max(1, maxTracked))
                .expireAfterAccess(period.multipliedBy(2).plusSeconds(1))
                .build(id -> RateLimiter.of("workflow", config));
    }

    public static WorkflowRateLimit off() {
        return new WorkflowRateLimit(0, Duration.ofSeconds(1), 1);
    }

    public boolean enabled() {
        return requests > 0;
    }

    /** Route step after the completion is parsed: a request naming a workflow takes one of its permits. */
    public void completion(Exchange exchange) {
        if (!enabled()) return;
        WorkflowMetadata md = CompletionCall.of(exchange).request().workflow();
        if (md != null && md.workflowId() != null) acquire(md.workflowId());
    }

    /** Route step of a message send: the path's workflow takes one of its permits. */
    public void send(Exchange exchange) {
        if (!enabled()) return;
        acquire(WorkflowIds.require(exchange.getIn().getHeader("workflowId", String.class), "workflow_id"));
    }

    /** Takes a permit for {@code workflowId} or throws the 429 that says when the next one comes. */
    public void acquire(String workflowId) {
        RateLimiter limiter = limiters.get(workflowId);
        if (limiter.acquirePermission()) return;
        long waitNanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait() : period.toNanos();
        throw GatewayException.rateLimited("workflow '" + workflowId + "'", requests, period.toMillis(), waitNanos);
    }
}
