package io.snapline.runtime.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * Whether the job is still running, shared by the ranks of one process. Once aborted (by {@code Abort}, a rank
 * failure or the supervisor) every wait inside the runtime ends with {@link JobAbortedException}.
 */
public final class JobState {
    private final Thread[] rankThreads;
    /** What each rank is blocked on inside the runtime (a {@link Request}, or a description), or null. */
    private final Object[] blockedOn;
    /** Incremented every time a rank starts blocking; a rank blocked with an unchanged epoch made no progress. */
    private final long[] blockEpoch;
    private final boolean[] finished;
    private volatile String abortReason;
    private volatile int abortCode;
    private volatile int abortRank = -1;

    public JobState(int size) {
        this.rankThreads = new Thread[size];
        this.blockedOn = new Object[size];
        this.blockEpoch = new long[size];
        this.finished = new boolean[size];
    }

    /** Records that {@code rank} is about to block waiting for {@code what} (a request or a description). */
    public void blocking(int rank, Object what) {
        synchronized (blockedOn) {
            blockedOn[rank] = what;
            blockEpoch[rank]++;
        }
    }

    /** Records that {@code rank} is no longer blocked. */
    public void unblocked(int rank) {
        synchronized (blockedOn) {
            blockedOn[rank] = null;
        }
    }

    /** Records that {@code rank}'s program has returned (or died). */
    public void finished(int rank) {
        synchronized (blockedOn) {
            finished[rank] = true;
            blockedOn[rank] = null;
        }
    }

    /**
     * A consistent view of who is blocked on what, for deadlock detection: entry {@code r} is null when rank r is
     * running, {@link #FINISHED} when it has returned, otherwise its epoch and what it waits for.
     */
    public Blocked[] snapshotBlocked() {
        synchronized (blockedOn) {
            Blocked[] out = new Blocked[blockedOn.length];
            for (int r = 0; r < out.length; r++) {
                if (finished[r]) {
                    out[r] = FINISHED;
                } else if (blockedOn[r] != null) {
                    out[r] = new Blocked(blockEpoch[r], blockedOn[r]);
                }
            }
            return out;
        }
    }

    /** One rank's blocking state in {@link #snapshotBlocked()}. */
    public record Blocked(long epoch, Object what) {
    }

    /** Marks a rank whose program has returned. */
    public static final Blocked FINISHED = new Blocked(-1, "finished");

    /** Records the main thread of a rank so an abort can wake it from a wait. */
    public void bindThread(int rank, Thread thread) {
        rankThreads[rank] = thread;
    }

    /**
     * Aborts the job; only the first abort counts.
     *
     * @return true when this call aborted the job
     */
    public boolean abort(int rank, int code, String reason) {
        synchronized (this) {
            if (abortReason != null) {
                return false;
            }
            abortRank = rank;
            abortCode = code;
            abortReason = reason;
        }
        for (Thread t : rankThreads) {
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
        return true;
    }

    public boolean isAborted() {
        return abortReason != null;
    }

    public String abortReason() {
        return abortReason;
    }

    public int abortCode() {
        return abortCode;
    }

    public int abortRank() {
        return abortRank;
    }

    /** Throws {@link JobAbortedException} when the job has been aborted. */
    public void check() {
        String reason = abortReason;
        if (reason != null) {
            throw new JobAbortedException("the job was aborted: " + reason);
        }
    }
}
