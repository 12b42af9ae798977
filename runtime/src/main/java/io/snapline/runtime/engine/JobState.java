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
    /** Who is told when each rank starts or stops waiting (see {@link #listen}); null entries: nobody. */
    private final WaitListener[] listeners;
    /** Calls in a row, per rank, of {@code Test}/{@code Iprobe} and friends that found nothing (rank's own thread). */
    private final int[] missedPolls;
    /** Whether each rank counts as waiting because it polls without success; guarded by {@code blockedOn}. */
    private final boolean[] polling;
    private volatile String abortReason;
    private volatile int abortCode;
    private volatile int abortRank = -1;

    public JobState(int size) {
        this.rankThreads = new Thread[size];
        this.blockedOn = new Object[size];
        this.blockEpoch = new long[size];
        this.finished = new boolean[size];
        this.listeners = new WaitListener[size];
        this.missedPolls = new int[size];
        this.polling = new boolean[size];
    }

    /**
     * Told, on the rank's own thread, each time the rank starts or stops waiting: blocking inside the runtime (a
     * receive, a wait, a probe, a collective, a checkpoint), or polling with {@code Test}/{@code Iprobe} and their
     * kin {@link #POLLS_BEFORE_WAITING} times in a row without success. Calls may repeat a state already reported.
     */
    public interface WaitListener {
        /**
         * @param waiting whether the rank now waits
         * @param peers   while waiting: the world ranks it waits for (a message from, or a send to), or null when it
         *                could be any rank (a wildcard receive, a probe for any source, polling)
         */
        void waiting(boolean waiting, int[] peers);
    }

    /** Unsuccessful polls in a row after which a polling rank counts as waiting. */
    public static final int POLLS_BEFORE_WAITING = 16;

    /** Installs the listener of {@code rank}'s waits (null removes it). */
    public void listen(int rank, WaitListener listener) {
        listeners[rank] = listener;
    }

    /** Tells {@code to} at once whether {@code rank} waits now, and for whom, as its {@link WaitListener} would be. */
    public void reportWait(int rank, WaitListener to) {
        Object what;
        boolean waiting;
        synchronized (blockedOn) {
            what = blockedOn[rank];
            waiting = what != null || polling[rank];
        }
        to.waiting(waiting, what != null ? peersOf(what) : null);
    }

    /**
     * Records that {@code rank}'s thread polled ({@code Test}, {@code Iprobe}, ...), whether it found what it polled
     * for, and the world rank it polled for ({@code peer}, or -1 for any). Costs a field read unless the rank has a
     * {@link WaitListener}.
     */
    public void polled(int rank, boolean found, int peer) {
        WaitListener l = listeners[rank];
        if (l == null) {
            return;
        }
        if (found) {
            missedPolls[rank] = 0;
            if (setPolling(rank, false)) {
                l.waiting(false, null);
            }
        } else if (++missedPolls[rank] == POLLS_BEFORE_WAITING && setPolling(rank, true)) {
            l.waiting(true, peer >= 0 ? new int[] {peer} : null);
        }
    }

    /** Sets the polling flag; returns whether it changed. */
    private boolean setPolling(int rank, boolean value) {
        synchronized (blockedOn) {
            boolean changed = polling[rank] != value;
            polling[rank] = value;
            return changed;
        }
    }

    /** Records that {@code rank} is about to block waiting for {@code what} (a request or a description). */
    public void blocking(int rank, Object what) {
        synchronized (blockedOn) {
            blockedOn[rank] = what;
            blockEpoch[rank]++;
        }
        WaitListener l = listeners[rank];
        if (l != null) {
            l.waiting(true, peersOf(what));
        }
    }

    /** The world ranks a wait on {@code what} depends on, or null when any rank might end it. */
    static int[] peersOf(Object what) {
        if (what instanceof Request r) {
            int p = r.drivePeer();
            return p >= 0 ? new int[] {p} : null;
        }
        if (what instanceof Request[] rs) {
            int[] peers = new int[rs.length];
            int n = 0;
            for (Request r : rs) {
                if (r != null && !r.isComplete()) {
                    int p = r.drivePeer();
                    if (p < 0) {
                        return null;
                    }
                    peers[n++] = p;
                }
            }
            return java.util.Arrays.copyOf(peers, n);
        }
        if (what instanceof Endpoint.ProbeWait w) {
            return w.source() >= 0 ? new int[] {w.source()} : null;
        }
        return null;
    }

    /** Records that {@code rank} is no longer blocked. */
    public void unblocked(int rank) {
        synchronized (blockedOn) {
            blockedOn[rank] = null;
            polling[rank] = false;
        }
        missedPolls[rank] = 0;
        WaitListener l = listeners[rank];
        if (l != null) {
            l.waiting(false, null);
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
