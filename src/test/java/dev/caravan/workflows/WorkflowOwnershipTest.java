package dev.caravan.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.CallerKey;
import dev.caravan.core.ContextSharingStrategy;
import dev.caravan.core.GatewayException;
import dev.caravan.core.WorkflowMetadata;
import dev.caravan.fixtures.MutableClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who owns a workflow, and when its id is free again: bound at first use, kept while the workflow lives. */
class WorkflowOwnershipTest {

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final WorkflowRegistry registry = new WorkflowRegistry(Duration.ofMinutes(10), 100, clock);
    private final Set<String> queued = new HashSet<>();
    /** What the broker was told: workflow id -> owning key id. */
    private final java.util.Map<String, String> nativeOwners = new java.util.HashMap<>();
    private final dev.caravan.messaging.NativeWorkflowAccess nativeAccess = new dev.caravan.messaging.NativeWorkflowAccess() {
        @Override public void restrictTo(String workflowId, String keyId) { nativeOwners.put(workflowId, keyId); }
        @Override public void release(String workflowId) { nativeOwners.remove(workflowId); }
    };
    private final WorkflowOwnership ownership = new WorkflowOwnership(registry, queued::contains, () -> Set.copyOf(queued), clock,
            nativeAccess);
    private final CallerKey a = new CallerKey("aaaaaaaaaaaaaaaa");
    private final CallerKey b = new CallerKey("bbbbbbbbbbbbbbbb");

    private void touch(String id) {
        registry.touch(new WorkflowMetadata(id, "x", null, 1.0, ContextSharingStrategy.AUTO, Map.of()));
    }

    private void assertRefused(String id, CallerKey key) {
        assertThatThrownBy(() -> ownership.claim(id, key)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void anonymousCallersAreNeverRefusedNorBind() {
        ownership.claim("w", null);
        ownership.claim("w", null);
        assertThat(ownership.size()).isZero();
        ownership.claim("w", a);
        assertThat(ownership.mayUse("w", null)).isTrue();
        assertThat(ownership.listedFor("w", null)).isTrue();
    }

    @Test
    void theFirstKeyOwnsAndAnotherIsRefusedWhileTheWorkflowLives() {
        ownership.claim("w", a);
        touch("w");
        ownership.claim("w", a);
        assertRefused("w", b);
        assertThat(ownership.mayUse("w", b)).isFalse();
        assertThat(ownership.listedFor("w", b)).isFalse();
        assertThat(ownership.listedFor("w", a)).isTrue();

        // expired in the registry but its queues are still there: still A's
        clock.advance(Duration.ofMinutes(11));
        queued.add("w");
        assertRefused("w", b);
        // queues swept too: the id is free, B takes it
        queued.remove("w");
        ownership.claim("w", b);
        assertRefused("w", a);
    }

    @Test
    void anAdminKeyIsNeverRefusedAndBindsNothing() {
        CallerKey admin = new CallerKey("cccccccccccccccc", true);
        ownership.claim("w", a);
        touch("w");
        ownership.claim("w", admin);
        assertThat(ownership.mayUse("w", admin)).isTrue();
        assertThat(ownership.listedFor("w", admin)).isTrue();
        ownership.claim("other", admin);
        assertThat(ownership.size()).isEqualTo(1);
        assertThat(nativeOwners).containsOnlyKeys("w");
    }

    @Test
    void aFreshBindingStandsBeforeItsWorkflowIsRegistered() {
        ownership.claim("w", a);
        assertRefused("w", b);
        clock.advance(Duration.ofMinutes(2));
        ownership.claim("w", b);
        assertThat(ownership.listedFor("w", b)).isTrue();
    }

    @Test
    void releaseFreesTheIdAndTheSweepForgetsDeadBindings() {
        ownership.claim("w", a);
        touch("w");
        assertThat(nativeOwners).as("the broker is told the owner").containsEntry("w", a.id());
        ownership.release("w");
        assertThat(nativeOwners).as("and that it is gone").doesNotContainKey("w");
        ownership.claim("w", b);
        assertThat(nativeOwners).containsEntry("w", b.id());

        ownership.claim("gone", a);
        ownership.claim("queued", a);
        queued.add("queued");
        clock.advance(Duration.ofMinutes(11)); // "w" expired in the registry too
        assertThat(ownership.sweep()).isEqualTo(2);
        assertThat(ownership.size()).isEqualTo(1);
        assertThat(nativeOwners).as("swept bindings are opened on the broker too").containsOnlyKeys("queued");
        assertRefused("queued", b);
    }
}
