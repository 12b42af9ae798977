package io.snapline.runtime.launch;

import java.util.function.IntPredicate;

/**
 * The end of an attempt in which a rank died under a policy that
 * {@linkplain io.snapline.runtime.checkpoint.CheckpointPolicy#stopsSurvivorsAtSafePoints stops survivors at safe
 * points}: the other ranks run on until each has stopped at a checkpoint for the restart, ended (an operation with a
 * failed or stopped rank failed), or {@link #MAX_WAIT_NANOS} has passed; then the attempt ends as it would have at the
 * death. Thread-safe.
 */
final class SurvivorStop {
    /** The longest the survivors are waited for. */
    static final long MAX_WAIT_NANOS = 2_000_000_000L;

    private final int deadRank;
    private final String description;
    private final long startedAt;
    private final long deadline;
    private final boolean[] stopped;

    SurvivorStop(int ranks, int deadRank, String description, long nowNanos) {
        this(ranks, deadRank, description, nowNanos, MAX_WAIT_NANOS);
    }

    /** As above, waiting at most {@code maxWaitNanos} for the survivors. */
    SurvivorStop(int ranks, int deadRank, String description, long nowNanos, long maxWaitNanos) {
        this.deadRank = deadRank;
        this.description = description;
        this.startedAt = nowNanos;
        this.deadline = nowNanos + maxWaitNanos;
        this.stopped = new boolean[ranks];
        stopped[deadRank] = true;
    }

    /** The rank whose death began it. */
    int deadRank() {
        return deadRank;
    }

    /** What the attempt's end will say about that death. */
    String description() {
        return description;
    }

    /** Rank {@code rank} stopped at a checkpoint for the restart. Returns false if it was known already. */
    synchronized boolean stopped(int rank) {
        boolean fresh = !stopped[rank];
        stopped[rank] = true;
        return fresh;
    }

    /** Whether to stop waiting: every rank that {@code running} still has has stopped, or the time is up. */
    synchronized boolean over(IntPredicate running, long nowNanos) {
        return nowNanos - deadline >= 0 || allStopped(running);
    }

    /** Whether every rank that {@code running} still has has stopped. */
    synchronized boolean allStopped(IntPredicate running) {
        for (int r = 0; r < stopped.length; r++) {
            if (!stopped[r] && running.test(r)) {
                return false;
            }
        }
        return true;
    }

    /** When the death was noticed. */
    long startedAt() {
        return startedAt;
    }
}
