package dev.caravan.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** How {@code caravan.workflow-support.*} binds from what operators write (Spring Boot's own binder). */
class WorkflowSupportPropertiesBindingTest {

    private static WorkflowSupportProperties bind(String key, String value) {
        return new Binder(new MapConfigurationPropertySource(Map.of(key, value)))
                .bind("caravan.workflow-support", WorkflowSupportProperties.class)
                .orElseGet(WorkflowSupportProperties::new);
    }

    @Test
    void aBareTtlIsSecondsAsInTheSeedPlan() {
        assertThat(bind("caravan.workflow-support.ttl", "3600").getTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(bind("caravan.workflow-support.ttl", "90").getTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void ttlsWithUnitsKeepTheirUnit() {
        assertThat(bind("caravan.workflow-support.ttl", "30m").getTtl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(bind("caravan.workflow-support.ttl", "PT1H").getTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(bind("caravan.workflow-support.ttl", "1500ms").getTtl()).isEqualTo(Duration.ofMillis(1500));
        assertThat(bind("caravan.workflow-support.ttl", "3600s").getTtl()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theDefaultIsAnHour() {
        assertThat(new WorkflowSupportProperties().getTtl()).isEqualTo(Duration.ofHours(1));
    }
}
