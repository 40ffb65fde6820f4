package dev.caravan.workflows;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One change of a workflow's home engine.
 *
 * @param from   previous home (null for the first assignment, which is not recorded as a move)
 * @param to     new home
 * @param reason placement reason label: spill (persistent overload) or failover (home unhealthy/excluded)
 * @param at     epoch seconds
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkflowMove(String from, String to, String reason, @JsonSerialize(using = EpochSecondsSerializer.class) double at) {}
