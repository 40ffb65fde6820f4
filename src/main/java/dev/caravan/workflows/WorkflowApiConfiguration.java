package dev.caravan.workflows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.RequestOutcomeListener;
import dev.caravan.messaging.MessageQueueStats;
import dev.caravan.messaging.NativeWorkflowAccess;
import dev.caravan.messaging.WorkflowQueues;
import dev.caravan.core.WorkflowIds;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.ToIntFunction;
import org.apache.camel.Processor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The workflow API processor, expiry of idle workflows, and lineage by response id. */
@Configuration(proxyBeanMethods = false)
public class WorkflowApiConfiguration {

    @Bean("workflowApi")
    WorkflowApi workflowApi(WorkflowRegistry registry, ObjectMapper mapper,
                            @Qualifier("workflowDeleted") List<ToIntFunction<String>> onDelete,
                            MessageQueueStats messageQueueStats, WorkflowOwnership ownership) {
        return new WorkflowApi(registry, mapper, onDelete, messageQueueStats::section, ownership);
    }

    /**
     * Which key owns which workflow. A workflow is alive while the registry tracks it or it has agent
     * queues; when the broker cannot say, the binding is kept (a stranger is refused, never let in).
     */
    @Bean("workflowOwnership")
    WorkflowOwnership workflowOwnership(WorkflowRegistry registry, WorkflowQueues queues,
                                        NativeWorkflowAccess nativeAccess) {
        return new WorkflowOwnership(registry, id -> {
            if (!WorkflowIds.isQueueSafe(id)) return false; // such an id never names a queue
            try {
                return !queues.agents(id).isEmpty();
            } catch (RuntimeException brokerUnavailable) {
                return true;
            }
        }, queues::workflows, Clock.systemUTC(), nativeAccess);
    }

    /**
     * Completions and message sends each workflow may start per period ({@code caravan.limits.workflow-rate-limit.*};
     * requests 0, the default, is no limit). {@code max-tracked} bounds the limiters kept at once.
     */
    @Bean("workflowRateLimit")
    WorkflowRateLimit workflowRateLimit(@Value("${caravan.limits.workflow-rate-limit.requests:0}") int requests,
            @Value("${caravan.limits.workflow-rate-limit.period:1s}") Duration period,
            @Value("${caravan.limits.workflow-rate-limit.max-tracked:100000}") int maxTracked) {
        if (requests < 0 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("caravan.limits.workflow-rate-limit: requests must be >= 0 and period > 0, got "
                    + requests + " per " + period);
        }
        return new WorkflowRateLimit(requests, period, maxTracked);
    }

    /**
     * The limit's route steps as processors: a {@code process} step calls them directly, where a
     * {@code bean} step would dispatch by reflection on every request, limit on or off.
     */
    @Bean("limitWorkflowCompletions")
    Processor limitWorkflowCompletions(WorkflowRateLimit workflowRateLimit) {
        return workflowRateLimit::completion;
    }

    @Bean("limitWorkflowSends")
    Processor limitWorkflowSends(WorkflowRateLimit workflowRateLimit) {
        return workflowRateLimit::send;
    }

    /** What else a DELETE of a workflow removes: its agents' message queues. */
    @Bean("workflowDeleted")
    List<ToIntFunction<String>> workflowDeleted(WorkflowQueues queues) {
        return List.of(queues::deleteWorkflow);
    }

    /**
     * Children name their parent by the {@code id} of the parent's response (cmpl-..., chatcmpl-...),
     * which exists only once the engine answered: remember which engine gave it.
     */
    @Bean
    RequestOutcomeListener lineageByResponseId(LineageTracker lineage) {
        return outcome -> {
            if (outcome.responseId() != null && outcome.status() == 200) {
                lineage.record(outcome.responseId(), outcome.engine().id());
            }
        };
    }

    /** Idle workflows expire even when no request comes to trigger it. */
    @Bean
    WorkflowExpirySweeper workflowExpirySweeper(WorkflowRegistry registry, WorkflowOwnership ownership,
            @Value("${caravan.workflow-support.sweep-interval:30s}") Duration interval) {
        return new WorkflowExpirySweeper(registry, interval, ownership::sweep);
    }
}
