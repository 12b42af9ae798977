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
        /** Whether the rank counts as waiting because it polls without success. */
        boolean polling;
        /** Calls in a row of {@code Test}/{@code Iprobe} and friends that found nothing (the rank's own thread). */
        int missedPolls;
        /** Who is told when the rank starts or stops waiting (see {@link #listen}), or null. */
        volatile WaitListener listener;
    }

    public JobState(int size) {
        this.rankThreads = new Thread[size];
        this.slots = new Slot[size];
        for (int r = 0; r < size; r++) {
            slots[r] = new Slot();
        }
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
        slots[rank].listener = listener;
    }

    /** Tells {@code to} at once whether {@code rank} waits now, and for whom, as its {@link WaitListener} would be. */
    public void reportWait(int rank, WaitListener to) {
        Slot s = slots[rank];
        Object what;
        boolean waiting;
        synchronized (s) {
            what = s.blockedOn;
            waiting = what != null || s.polling;
        }
        to.waiting(waiting, what != null ? peersOf(what) : null);
    }

    /**
     * Records that {@code rank}'s thread polled ({@code Test}, {@code Iprobe}, ...), whether it found what it polled
     * for, and the world rank it polled for ({@code peer}, or -1 for any). Costs a field read unless the rank has a
     * {@link WaitListener}.
     */
    public void polled(int rank, boolean found, int peer) {
        Slot s = slots[rank];
        WaitListener l = s.listener;
        if (l == null) {
            return;
        }
        if (found) {
            s.missedPolls = 0;
            if (setPolling(s, false)) {
                l.waiting(false, null);
            }
        } else if (++s.missedPolls == POLLS_BEFORE_WAITING && setPolling(s, true)) {
            l.waiting(true, peer >= 0 ? new int[] {peer} : null);
        }
    }

    /** Sets the polling flag; returns whether it changed. */
    private static boolean setPolling(Slot s, boolean value) {
        synchronized (s) {
            boolean changed = s.polling != value;
            s.polling = value;
            return changed;
        }
    }

    /** Records that {@code rank} is about to block waiting for {@code what} (a request or a description). */
    public void blocking(int rank, Object what) {
        Slot s = slots[rank];
        synchronized (s) {
            s.blockedOn = what;
            s.epoch++;
        }
        WaitListener l = s.listener;
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
        Slot s = slots[rank];
        synchronized (s) {
            s.blockedOn = null;
            s.polling = false;
        }
        s.missedPolls = 0;
        WaitListener l = s.listener;
        if (l != null) {
            l.waiting(false, null);
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

    /** Wakes rank {@code rank}'s main thread from a park inside the runtime, so that it checks why it should stop. */
    public void wake(int rank) {
        Thread t = rankThreads[rank];
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Rank {@code rank} starts again in this job (restarted alone, its previous incarnation dead): it counts as
     * running, no longer as finished.
     */
    public void restarted(int rank) {
        Slot s = slots[rank];
        synchronized (s) {
            s.finished = false;
            s.blockedOn = null;
            s.polling = false;
        }
        s.missedPolls = 0;
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
