package dev.caravan.proxy;

/**
 * Maps {@code workflow_metadata.workflow_priority} (higher = more important, default 1.0) to vLLM's
 * request {@code priority} (an int, lower runs first; only valid when the engine runs
 * {@code --scheduling-policy priority}, see {@code Engine#prioritySchedulingEnabled()}).
 *
 * <p>Mapping: {@code priority = base - round(workflow_priority * scale)}, clamped to
 * {@code [min, max]}. With the defaults (base 100, scale 10, range 0..200): priority 1.0 -> 90,
 * 2.0 -> 80, 0.5 -> 95, 0 -> 100, 10 -> 0; negative workflow priorities run after everything else.
 * It is monotone (a more important workflow never gets a larger vLLM value) and keeps a tenth of a
 * priority point distinguishable. Requests without workflow metadata get {@link #plainPriority()}, the
 * value of the default workflow priority, so plain traffic and default workflows are treated alike.
 */
public final class VllmPriorityMapping {

    private final int base;
    private final double scale;
    private final int min;
    private final int max;

    public VllmPriorityMapping() { this(100, 10.0, 0, 200); }

    public VllmPriorityMapping(int base, double scale, int min, int max) {
        if (min > max) throw new IllegalArgumentException("min > max");
        this.base = base;
        this.scale = scale;
        this.min = min;
        this.max = max;
    }

    /** The vLLM {@code priority} for a workflow priority; NaN is treated as the default 1.0. */
    public int toVllm(double workflowPriority) {
        double p = Double.isNaN(workflowPriority) ? 1.0 : workflowPriority;
        double v = base - Math.rint(p * scale);
        return (int) Math.max(min, Math.min(max, v));
    }

    /** The vLLM priority of a request without workflow metadata. */
    public int plainPriority() { return toVllm(1.0); }
}
