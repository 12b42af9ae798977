package io.snapline.recovery;

import io.snapline.recovery.model.History;

import java.util.Arrays;

/**
 * A global state to recover to: for each rank, the checkpoint it restores or {@link #KEEP_RUNNING} (it keeps its
 * current state). Immutable.
 */
public final class RecoveryLine {
    /** The position of a rank that does not roll back. */
    public static final int KEEP_RUNNING = -1;

    private final int[] checkpoints;

    private RecoveryLine(int[] checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** The line restoring checkpoint {@code checkpoints[r]} on rank {@code r}, or keeping it running for -1. */
    public static RecoveryLine of(int... checkpoints) {
        for (int r = 0; r < checkpoints.length; r++) {
            if (checkpoints[r] < KEEP_RUNNING) {
                throw new RecoveryException("rank " + r + ": checkpoint " + checkpoints[r] + " does not exist; give a"
                    + " checkpoint index (0 = job start) or " + KEEP_RUNNING + " to keep the rank running");
            }
        }
        return new RecoveryLine(checkpoints.clone());
    }

    /** The line for a cut of {@code history}: position {@code p} restores checkpoint {@code p}, the top keeps running. */
    static RecoveryLine fromCut(History history, int[] cut) {
        int[] checkpoints = new int[cut.length];
        for (int r = 0; r < cut.length; r++) {
            checkpoints[r] = cut[r] == history.checkpointCount(r) ? KEEP_RUNNING : cut[r];
        }
        return new RecoveryLine(checkpoints);
    }

    /** This line as a cut of {@code history} (see {@link RollbackGraph#propagate}), checking that it fits. */
    int[] toCut(History history) {
        if (checkpoints.length != history.rankCount()) {
            throw new RecoveryException("the line names " + checkpoints.length + " rank(s) but the history has "
                + history.rankCount() + "; give one checkpoint (or keep) per rank");
        }
        int[] cut = new int[checkpoints.length];
        for (int r = 0; r < cut.length; r++) {
            int count = history.checkpointCount(r);
            if (checkpoints[r] >= count) {
                throw new RecoveryException("rank " + r + " (" + history.rank(r).name() + ") has no checkpoint "
                    + checkpoints[r] + "; its checkpoints are 0.." + (count - 1));
            }
            cut[r] = checkpoints[r] == KEEP_RUNNING ? count : checkpoints[r];
        }
        return cut;
    }

    public int rankCount() {
        return checkpoints.length;
    }

    /** The checkpoint {@code rank} restores, or {@link #KEEP_RUNNING}. */
    public int checkpoint(int rank) {
        return checkpoints[rank];
    }

    public boolean keepsRunning(int rank) {
        return checkpoints[rank] == KEEP_RUNNING;
    }

    /** True when every rank of this line is at or after its position in {@code other} (keeping running is latest). */
    public boolean notEarlierThan(RecoveryLine other) {
        for (int r = 0; r < checkpoints.length; r++) {
            int mine = keepsRunning(r) ? Integer.MAX_VALUE : checkpoints[r];
            int theirs = other.keepsRunning(r) ? Integer.MAX_VALUE : other.checkpoints[r];
            if (mine < theirs) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecoveryLine other && Arrays.equals(checkpoints, other.checkpoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(checkpoints);
    }

    /** E.g. {@code [2, keep, 0]}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int r = 0; r < checkpoints.length; r++) {
            out.append(r == 0 ? "" : ", ").append(keepsRunning(r) ? "keep" : Integer.toString(checkpoints[r]));
        }
        return out.append(']').toString();
    }
}
