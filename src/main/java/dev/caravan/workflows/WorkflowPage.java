package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** A page of live workflows, most recently active first. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkflowPage(long total, int offset, int limit, List<WorkflowStatus> workflows) {}
