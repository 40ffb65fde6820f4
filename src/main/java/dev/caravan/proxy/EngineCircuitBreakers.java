package dev.caravan.proxy;

import dev.caravan.core.EngineErrorKind;
import dev.caravan.core.RequestOutcome;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.engines.Engine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker per engine (resilience4j's), fed by what its requests did: an answer taken
 * (200, or a 4xx the client caused) is a success; a 5xx, a timeout, a broken connection or a stream
 * the engine broke off is a failure. When failures reach {@code failure-rate}% of the last
 * {@code window} calls (at least {@code minimum-calls} of them) the breaker opens and placement stops
 * choosing the engine, though it may still pass its health checks (an engine whose /health answers
 * while every generation fails: a wedged GPU, a full disk for its logs). After {@code open-for} it is
 * half open: requests go to it again, and {@code half-open-calls} of them close it or open it again.
 *
 * <p>This complements the health monitor rather than repeating it: the monitor takes out engines that
 * stop answering /health or refuse connections, the breaker those that answer /health and fail the
 * work. Each failed call was already retried once elsewhere if nothing had reached the client
 * (engineCall's failover), so an open breaker saves that second trip for every later request.
 * Camel's circuitBreaker EIP was not used: one EIP node is one breaker for every engine.
 */
public final class EngineCircuitBreakers implements RequestOutcomeListener {

    private static final Logger LOG = LoggerFactory.getLogger(EngineCircuitBreakers.class);

    private final CircuitBreakerConfig config;
    private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    public EngineCircuitBreakers(float failureRatePercent, int window, int minimumCalls, Duration openFor, int halfOpenCalls) {
        this.config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(Math.min(minimumCalls, window))
                .failureRateThreshold(failureRatePercent)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                // No request is sent to an open engine, so none would move it on: a timer does.
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build();
    }

    /** The engine's breaker state, e.g. for the status API and tests. */
    public CircuitBreaker.State state(Engine engine) {
        return breaker(engine).getState();
    }

    /** Closes every breaker and forgets its calls (an operator who fixed an engine need not wait for it). */
    public void reset() {
        breakers.values().forEach(CircuitBreaker::reset);
    }

    @Override
    public void onEngineError(Engine engine, EngineErrorKind kind) {
        breaker(engine).onError(0, TimeUnit.NANOSECONDS, new EngineCallFailed(kind));
    }

    /** An answer that ended: whole or streamed to its end is a success (a relayed 4xx too: the client's mistake). */
    @Override
    public void onOutcome(RequestOutcome outcome) {
        if (outcome.failedMidStream()) {
            breaker(outcome.engine()).onError(0, TimeUnit.NANOSECONDS, new EngineCallFailed(EngineErrorKind.MID_STREAM));
        } else if (outcome.status() < 500) {
            breaker(outcome.engine()).onSuccess(0, TimeUnit.NANOSECONDS);
        }
    }

    private CircuitBreaker breaker(Engine engine) {
        CircuitBreaker existing = breakers.get(engine.id());
        return existing != null ? existing : breakers.computeIfAbsent(engine.id(), id -> create(engine));
    }

    private CircuitBreaker create(Engine engine) {
        CircuitBreaker breaker = CircuitBreaker.of("engine-" + engine.id(), config);
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State to = event.getStateTransition().getToState();
            boolean open = to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN;
            engine.circuitOpen(open);
            if (open) {
                LOG.warn("Engine {} circuit opened: {}% of its last calls failed; no requests for {}", engine,
                        Math.round(breaker.getMetrics().getFailureRate()), config.getWaitIntervalFunctionInOpenState().apply(1) + " ms");
            } else {
                LOG.info("Engine {} circuit {}", engine, to.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            }
        });
        breaker.getEventPublisher().onReset(event -> engine.circuitOpen(false)); // a reset is no state transition
        return breaker;
    }

    /** What a breaker records as the failure: the kind only, no stack trace. */
    private static final class EngineCallFailed extends RuntimeException {
        EngineCallFailed(EngineErrorKind kind) {
            super(kind.label(), null, false, false);
        }
    }
}
