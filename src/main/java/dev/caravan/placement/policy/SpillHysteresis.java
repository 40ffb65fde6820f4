package dev.caravan.placement.policy;

/**
 * Decides when a spilling workflow should move its home for good.
 *
 * <p>A single overloaded moment only spills that one request (the home keeps the workflow's cache);
 * the home moves only when the overload persists: {@code spillsToMove} consecutive spills, or spills
 * that kept happening for at least {@code overloadMillisToMove} since the first of the run. Any
 * request served at home resets the run, so a workflow never flaps request by request.
 */
public final class SpillHysteresis {

    private final int spillsToMove;
    private final long overloadMillisToMove;

    /**
     * @param spillsToMove         consecutive spills that move the home (>= 1)
     * @param overloadMillisToMove duration of an uninterrupted run of spills that moves the home
     *                             (<= 0 disables the time criterion)
     */
    public SpillHysteresis(int spillsToMove, long overloadMillisToMove) {
        if (spillsToMove < 1) throw new IllegalArgumentException("spillsToMove must be >= 1");
        this.spillsToMove = spillsToMove;
        this.overloadMillisToMove = overloadMillisToMove;
    }

    /**
     * @param consecutiveSpills spills in the current run, including this one
     * @param overloadedMillis  time since the first spill of the run
     */
    public boolean shouldMove(int consecutiveSpills, long overloadedMillis) {
        return consecutiveSpills >= spillsToMove
                || (overloadMillisToMove > 0 && consecutiveSpills > 1 && overloadedMillis >= overloadMillisToMove);
    }

    public int spillsToMove() { return spillsToMove; }
    public long overloadMillisToMove() { return overloadMillisToMove; }
}
