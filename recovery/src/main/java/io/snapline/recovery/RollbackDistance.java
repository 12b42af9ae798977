package io.snapline.recovery;

/**
 * How far one rank rolls back on a recovery line.
 *
 * @param rank               the rank
 * @param failed             whether it failed (its state after its last checkpoint is lost in any case)
 * @param restoredCheckpoint the checkpoint it restores, or {@link RecoveryLine#KEEP_RUNNING}
 * @param intervalsLost      checkpoint intervals of work undone, counting the open one after the last checkpoint
 * @param lostNanos          work undone in nanoseconds: from the restored checkpoint to the end of the rank's history
 * @param forcedCheckpoints  checkpoints rolled past beyond what its own fate required (a failed rank needs only its
 *                           last checkpoint, a survivor none): the rollback the messages forced on it
 */
public record RollbackDistance(int rank, boolean failed, int restoredCheckpoint, int intervalsLost, long lostNanos,
                               int forcedCheckpoints) {

    public boolean keepsRunning() {
        return restoredCheckpoint == RecoveryLine.KEEP_RUNNING;
    }

    /** True when the rank restarts from the beginning of the job (checkpoint 0): the mark of the domino effect. */
    public boolean restartsFromBeginning() {
        return restoredCheckpoint == 0;
    }

    public double lostSeconds() {
        return lostNanos / 1e9;
    }
}
