package io.snapline.runtime.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * Whether the job is still running, shared by the ranks of one process. Once aborted (by {@code Abort}, a rank
 * failure or the supervisor) every wait inside the runtime ends with {@link JobAbortedException}.
 */
public final class JobState {
    private final Thread[] rankThreads;
    /** Per rank: what it is blocked on; each guarded by its own lock, so thousands of ranks never share one. */
    private final Slot[] slots;
    private volatile String abortReason;
    private volatile int abortCode;
    private volatile int abortRank = -1;

    /** One rank's blocking state; its threads and the deadlock check lock it briefly. */
    private static final class Slot {
        /** What the rank is blocked on inside the runtime (a {@link Request}, or a description), or null. */
        Object blockedOn;
        /** Incremented every time the rank starts blocking; a rank blocked with an unchanged epoch made no progress. */
        long epoch;
        boolean finished;
    }

    public JobState(int size) {
        this.rankThreads = new Thread[size];
        this.slots = new Slot[size];
        for (int r = 0; r < size; r++) {
            slots[r] = new Slot();
        }
    }

    /** Records that {@code rank} is about to block waiting for {@code what} (a request or a description). */
    public void blocking(int rank, Object what) {
        Slot s = slots[rank];
        synchronized (s) {
            s.blockedOn = what;
            s.epoch++;
        }
    }

    /** Records that {@code rank} is no longer blocked. */
    public void unblocked(int rank) {
        Slot s = slots[rank];
        synchronized (s) {
            s.blockedOn = null;
        }
    }

    /** Records that {@code rank}'s program has returned (or died). */
    public void finished(int rank) {
        Slot s = slots[rank];
        synchronized (s) {
            s.finished = true;
            s.blockedOn = null;
        }
    }

    /**
     * Who is blocked on what, for deadlock detection: entry {@code r} is null when rank r is running, {@link #FINISHED}
     * when it has returned, otherwise its epoch and what it waits for. Each entry is consistent; the ranks are read one
     * after the other, which suffices, since a deadlock is declared only when every entry stays unchanged over
     * several snapshots.
     */
    public Blocked[] snapshotBlocked() {
        Blocked[] out = new Blocked[slots.length];
        for (int r = 0; r < out.length; r++) {
            Slot s = slots[r];
            synchronized (s) {
                if (s.finished) {
                    out[r] = FINISHED;
                } else if (s.blockedOn != null) {
                    out[r] = new Blocked(s.epoch, s.blockedOn);
                }
            }
        }
        return out;
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
