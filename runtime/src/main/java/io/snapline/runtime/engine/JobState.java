package io.snapline.runtime.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * Whether the job is still running, shared by the ranks of one process. Once aborted (by {@code Abort}, a rank
 * failure or the supervisor) every wait inside the runtime ends with {@link JobAbortedException}.
 */
public final class JobState {
    private final Thread[] rankThreads;
    private volatile String abortReason;
    private volatile int abortCode;
    private volatile int abortRank = -1;

    public JobState(int size) {
        this.rankThreads = new Thread[size];
    }

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
