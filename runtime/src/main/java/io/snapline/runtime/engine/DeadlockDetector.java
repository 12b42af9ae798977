package io.snapline.runtime.engine;

import java.util.Arrays;

/**
 * Detects a job that can never progress: every rank still running has stayed blocked inside the runtime, in the
 * same wait, for several consecutive checks. On {@code shm} nothing moves messages except the ranks themselves, so
 * such a job is deadlocked (a receive without a matching send, a rank that returned without sending, ...). Feed it
 * {@link JobState#snapshotBlocked()} at a fixed period; time is the caller's, so tests drive it step by step.
 */
public final class DeadlockDetector {
    private final int checksNeeded;
    private JobState.Blocked[] previous;
    private long previousProgress;
    private int stable;

    /** @param checksNeeded consecutive unchanged all-blocked checks before a deadlock is reported */
    public DeadlockDetector(int checksNeeded) {
        if (checksNeeded < 1) {
            throw new IllegalArgumentException("checksNeeded must be at least 1");
        }
        this.checksNeeded = checksNeeded;
    }

    /** Returns a description of the deadlock once it is certain, else null. */
    public String check(JobState.Blocked[] now) {
        return check(now, 0);
    }

    /**
     * As {@link #check(JobState.Blocked[])}, where something other than the ranks moves messages (a device's progress
     * threads): {@code progress} is a count that grows while it does (bytes read), and a change of it counts as
     * progress too.
     */
    public String check(JobState.Blocked[] now, long progress) {
        boolean moved = progress != previousProgress;
        previousProgress = progress;
        boolean anyRunning = false;
        for (JobState.Blocked b : now) {
            if (b == null) {
                previous = null;
                stable = 0;
                return null;
            }
            if (b != JobState.FINISHED) {
                anyRunning = true;
            }
        }
        if (!anyRunning) {
            previous = null;
            stable = 0;
            return null;
        }
        if (previous != null && !moved && sameWaits(previous, now)) {
            stable++;
        } else {
            stable = 0;
        }
        previous = now;
        return stable >= checksNeeded ? describe(now) : null;
    }

    private static boolean sameWaits(JobState.Blocked[] a, JobState.Blocked[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != JobState.FINISHED || b[i] != JobState.FINISHED) {
                if (a[i] == JobState.FINISHED || b[i] == JobState.FINISHED || a[i].epoch() != b[i].epoch()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** What a rank waits for, as the report says it: a request, or a wait on any of several. */
    public static String describeWait(Object what) {
        return what instanceof Object[] ? "a wait on any of " + Arrays.toString((Object[]) what) : String.valueOf(what);
    }

    private static String describe(JobState.Blocked[] now) {
        StringBuilder sb = new StringBuilder("deadlock: no rank can make progress");
        for (int r = 0; r < now.length; r++) {
            sb.append("\n  rank ").append(r).append(": ");
            if (now[r] == JobState.FINISHED) {
                sb.append("finished");
            } else {
                sb.append("blocked in ").append(describeWait(now[r].what()));
            }
        }
        sb.append("\n  (a receive or synchronous send with no matching partner, a rank that returned without sending,"
                + " or ranks calling collectives in a different order)");
        return sb.toString();
    }
}
