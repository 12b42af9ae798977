package io.snapline.runtime.checkpoint;

import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.Message;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Records the dependencies between this rank's checkpoint intervals and other ranks' (interval i of a rank is its
 * execution between its checkpoints i and i+1). Every message leaving the rank is stamped with the rank's current
 * interval and its number on the channel; for every message sent and accepted the tracker keeps, in the current
 * interval's record, the peer, the number and — for a receive — the sender's interval. At a checkpoint the record
 * of the interval that ends goes into the rank's image ({@link #close()}), so a recovery planner can rebuild who
 * depends on whom.
 *
 * <p>It is the engine's {@link ChannelHook} and wraps the policy's own {@link TrafficHook} (adapted to a ChannelHook),
 * if any, which then stamps the message (the non-blocking policy numbers messages itself; its epoch is this
 * interval). Sends run on the rank's program thread and accepts under the rank's mailbox lock, and {@link #close()}
 * is called under that lock at a safe point, so the two halves of the record need no lock of their own.
 *
 * <p>Messages are kept as runs: consecutive numbers on one channel (and, for receives, from one interval of the
 * sender) extend the channel's last run, so the record of an interval grows with the number of channels and of
 * breaks in their numbering, not with the number of messages: a rank that sends millions of messages between two
 * checkpoints keeps a few runs per peer. Cost per message: one call and a counter increment.
 */
final class DependencyTracker implements ChannelHook {
    private final int ranks;
    private final long[] sent;
    private volatile ChannelHook inner;
    private int interval;
    /** Between MPI.Init and the restore of a restarted rank: its setup code runs again, untracked. Program thread only. */
    private boolean beforeRestore;
    /** Runs of sends: (to, first number, count) each. */
    private long[] sends = new long[48];
    private int sendRuns;
    /** Per peer: the index of its last send run in this interval, or -1. */
    private final int[] lastSendRun;
    /** Runs of receives: (from, first number, count, sender's interval) each. */
    private long[] receives = new long[64];
    private int receiveRuns;
    /** Per peer: the index of its last receive run in this interval, or -1. */
    private final int[] lastReceiveRun;

    DependencyTracker(int ranks) {
        this.ranks = ranks;
        this.sent = new long[ranks];
        this.lastSendRun = new int[ranks];
        this.lastReceiveRun = new int[ranks];
        Arrays.fill(lastSendRun, -1);
        Arrays.fill(lastReceiveRun, -1);
    }

    /** Lets {@code hook} (a policy's, adapted) see and stamp the traffic too; null removes it. */
    void wrap(ChannelHook hook) {
        this.inner = hook;
    }

    /** The current checkpoint interval of this rank. */
    int interval() {
        return interval;
    }

    /**
     * The rank restarts from a checkpoint: until {@link #restore}, what it sends is re-executed setup code (creating
     * communicators and the like, which every rank runs again before restoring). Such messages are stamped with
     * interval {@link #SETUP} and recorded by neither side: every rank re-sends and re-receives them on every restart,
     * so they are part of no interval.
     */
    void beforeRestore() {
        beforeRestore = true;
    }

    /** The interval stamped on messages of re-executed setup code. */
    static final int SETUP = -1;

    @Override
    public boolean beforeSend(Send m) {
        ChannelHook h = inner;
        if (beforeRestore && h == null) {
            m.stamp(SETUP, 0);
            return true;
        }
        long seq = ++sent[m.dest()];
        if (3 * sendRuns == sends.length) {
            // Grown before the inner hook runs: once it has let the message go (and may hold a lock until afterSend),
            // nothing here may fail.
            sends = Arrays.copyOf(sends, sends.length * 2);
        }
        if (h != null) {
            if (!h.beforeSend(m)) {
                return false; // delivered before a restart: the record of that earlier interval has it
            }
            if (m.followedByAfterSend()) {
                // The inner hook's afterSend follows even if another hook is wrapped meanwhile.
                if (afterSendTo != h) {
                    afterSendTo = h;
                }
                afterSendDue = true;
            }
        } else {
            m.stamp(interval, seq);
        }
        int to = m.dest();
        long number = m.seq();
        int r = lastSendRun[to];
        if (r >= 0 && sends[3 * r + 1] + sends[3 * r + 2] == number) {
            sends[3 * r + 2]++;
            return true;
        }
        sends[3 * sendRuns] = to;
        sends[3 * sendRuns + 1] = number;
        sends[3 * sendRuns + 2] = 1;
        lastSendRun[to] = sendRuns++;
        return true;
    }

    /** The inner hook whose {@code beforeSend} let the message being sent go; program thread only. */
    private ChannelHook afterSendTo;
    /** Whether {@link #afterSendTo} is owed an {@code afterSend} for the message being sent; program thread only. */
    private boolean afterSendDue;

    @Override
    public void afterSend(Send m) {
        if (afterSendDue) {
            afterSendDue = false;
            afterSendTo.afterSend(m);
        }
    }

    @Override
    public int onAccept(int source, int context, int tag, int epoch, long seq) {
        ChannelHook h = inner;
        if (epoch == SETUP && h == null) {
            return KEEP;
        }
        int verdict = h == null ? KEEP : h.onAccept(source, context, tag, epoch, seq);
        if (verdict == DROP) {
            return DROP;
        }
        addReceive(source, seq, epoch);
        return verdict;
    }

    private void addReceive(int from, long number, int senderInterval) {
        int r = lastReceiveRun[from];
        if (r >= 0 && receives[4 * r + 1] + receives[4 * r + 2] == number && receives[4 * r + 3] == senderInterval) {
            receives[4 * r + 2]++;
            return;
        }
        if (4 * receiveRuns == receives.length) {
            receives = Arrays.copyOf(receives, receives.length * 2);
        }
        receives[4 * receiveRuns] = from;
        receives[4 * receiveRuns + 1] = number;
        receives[4 * receiveRuns + 2] = 1;
        receives[4 * receiveRuns + 3] = senderInterval;
        lastReceiveRun[from] = receiveRuns++;
    }

    @Override
    public void log(Message m, byte[] payload) {
        ChannelHook h = inner;
        if (h != null) {
            h.log(m, payload);
        }
    }

    @Override
    public void onDatum(int source, byte[] datum) {
        ChannelHook h = inner;
        if (h != null) {
            h.onDatum(source, datum);
        }
    }

    /**
     * Ends the current interval at a checkpoint and returns its record, encoded as {@link DependencyRecord} reads it
     * (its run layout).
     */
    byte[] close() {
        return close(NO_DEFERRED);
    }

    private static final long[][] NO_DEFERRED = new long[0][];

    /**
     * {@link #close()}, except that the receives of {@code deferred} ({@code [i][0]} source, {@code [i][1]} number:
     * messages accepted but not yet received by the program, which a checkpoint then does not hold) are left out of
     * the record and counted in the interval that begins, where the program will receive them.
     */
    byte[] close(long[][] deferred) {
        long[] kept = Arrays.copyOf(receives, 4 * receiveRuns);
        int keptRuns = receiveRuns;
        long[] later = new long[4 * deferred.length];
        int moved = 0;
        for (long[] d : deferred) {
            for (int r = 0; r < keptRuns; r++) {
                long first = kept[4 * r + 1];
                long count = kept[4 * r + 2];
                if (kept[4 * r] != d[0] || d[1] < first || d[1] >= first + count) {
                    continue;
                }
                later[4 * moved] = d[0];
                later[4 * moved + 1] = d[1];
                later[4 * moved + 2] = 1;
                later[4 * moved + 3] = kept[4 * r + 3];
                moved++;
                if (d[1] == first) { // the usual case: the unreceived tail, taken from the front of what remains
                    kept[4 * r + 1] = first + 1;
                    kept[4 * r + 2] = count - 1;
                    break;
                }
                // The run loses that number: what lies after it becomes a run of its own.
                long after = first + count - d[1] - 1;
                kept[4 * r + 2] = d[1] - first;
                if (after > 0) {
                    kept = Arrays.copyOf(kept, kept.length + 4);
                    System.arraycopy(kept, 4 * (r + 1), kept, 4 * (r + 2), 4 * (keptRuns - r - 1));
                    kept[4 * (r + 1)] = d[0];
                    kept[4 * (r + 1) + 1] = d[1] + 1;
                    kept[4 * (r + 1) + 2] = after;
                    kept[4 * (r + 1) + 3] = kept[4 * r + 3];
                    keptRuns++;
                }
                break;
            }
        }
        byte[] record = DependencyRecord.encode(interval, System.currentTimeMillis(), sent, sends, sendRuns, kept,
                keptRuns);
        interval++;
        sendRuns = 0;
        receiveRuns = 0;
        Arrays.fill(lastSendRun, -1);
        Arrays.fill(lastReceiveRun, -1);
        // Deferred receives, by source and number.
        java.util.List<long[]> next = new java.util.ArrayList<>();
        for (int k = 0; k < moved; k++) {
            next.add(Arrays.copyOfRange(later, 4 * k, 4 * k + 4));
        }
        next.sort(java.util.Comparator.<long[]>comparingLong(x -> x[0]).thenComparingLong(x -> x[1]));
        for (long[] x : next) {
            addReceive((int) x[0], x[1], (int) x[3]);
        }
        return record;
    }

    /**
     * Continues after a restore from the record a checkpoint's {@link #close()} wrote. Messages other ranks sent
     * since they restored may have been accepted already (a rank restores inside its first
     * {@code Checkpoint.restoreOr}, after {@code MPI.Init}): their receives stay in the record of the interval that
     * now begins. Called on the program's thread; it changes nothing accepts touch.
     */
    void restore(byte[] record) {
        DependencyRecord.Head r = DependencyRecord.head(record);
        interval = r.interval() + 1;
        System.arraycopy(r.sentSoFar(), 0, sent, 0, ranks);
        sendRuns = 0;
        Arrays.fill(lastSendRun, -1);
        beforeRestore = false;
    }
}
