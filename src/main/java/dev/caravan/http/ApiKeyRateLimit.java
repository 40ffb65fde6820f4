package dev.caravan.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.caravan.core.GatewayException;
import dev.caravan.metrics.ErrorResponseMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Per API key rate limit ({@code caravan.security.rate-limit.*}): each key may start
 * {@code requests} API requests per {@code period}; one more is answered 429
 * ({@code rate_limit_exceeded}, OpenAI's code) with {@code Retry-After} in seconds until its next
 * permit, before any route runs and without waiting. Resilience4j's rate limiter per key, kept in a
 * bounded cache (keys are few; the bound protects memory all the same).
 */
final class ApiKeyRateLimit implements Handler<RoutingContext> {

    private final LoadingCache<String, RateLimiter> limiters;
    private final ErrorAnswer answer;

    ApiKeyRateLimit(int requests, Duration period, ObjectMapper mapper, ErrorResponseMetrics metrics) {
        RateLimiterConfig config = RateLimiterConfig.custom().limitForPeriod(requests).limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO).build();
        this.limiters = Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofHours(1))
                .build(id -> RateLimiter.of("api-key-" + id, config));
        this.answer = new ErrorAnswer(mapper, metrics);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.get(ApiKeyCheck.KEY_ID);
        if (id == null) { // the key check answered already, or no keys: nothing to count against
            ctx.next();
            return;
        }
        RateLimiter limiter = limiters.get(id);
        if (limiter.acquirePermission()) {
            ctx.next();
            return;
        }
        long waitNanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        GatewayException error = GatewayException.rateLimited("this API key",
                limiter.getRateLimiterConfig().getLimitForPeriod(),
                limiter.getRateLimiterConfig().getLimitRefreshPeriod().toMillis(), waitNanos);
        answer.end(ctx.response(), error);
    }
}
