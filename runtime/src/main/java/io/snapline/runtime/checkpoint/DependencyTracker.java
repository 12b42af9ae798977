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
 * is called under that lock at a safe point, so the two halves of the record need no lock of their own. Cost per
 * message: one call and 12 (send) or 16 (receive) bytes appended to a growable array.
 */
final class DependencyTracker implements ChannelHook {
    private final int ranks;
    private final long[] sent;
    private volatile ChannelHook inner;
    private int interval;
    /** Between MPI.Init and the restore of a restarted rank: its setup code runs again, untracked. Program thread only. */
    private boolean beforeRestore;
    private long[] sends = new long[64];
    private int sendCount;
    private long[] receives = new long[96];
    private int receiveCount;

    DependencyTracker(int ranks) {
        this.ranks = ranks;
        this.sent = new long[ranks];
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
    public boolean beforeSend(Message m) {
        ChannelHook h = inner;
        if (beforeRestore && h == null) {
            m.stamp(SETUP, 0);
            return true;
        }
        long seq = ++sent[m.dest()];
        if (h != null) {
            if (!h.beforeSend(m)) {
                return false; // delivered before a restart: the record of that earlier interval has it
            }
        } else {
            m.stamp(interval, seq);
        }
        if (sendCount * 2 == sends.length) {
            sends = Arrays.copyOf(sends, sends.length * 2);
        }
        sends[2 * sendCount] = m.dest();
        sends[2 * sendCount + 1] = m.seq();
        sendCount++;
        return true;
    }

    @Override
    public int onAccept(Message m) {
        ChannelHook h = inner;
        if (m.epoch() == SETUP && h == null) {
            return KEEP;
        }
        int verdict = h == null ? KEEP : h.onAccept(m);
        if (verdict == DROP) {
            return DROP;
        }
        if (receiveCount * 3 == receives.length) {
            receives = Arrays.copyOf(receives, receives.length * 2);
        }
        receives[3 * receiveCount] = m.source();
        receives[3 * receiveCount + 1] = m.seq();
        receives[3 * receiveCount + 2] = m.epoch();
        receiveCount++;
        return verdict;
    }

    @Override
    public void log(Message m, byte[] payload) {
        ChannelHook h = inner;
        if (h != null) {
            h.log(m, payload);
        }
    }

    /**
     * Ends the current interval at a checkpoint and returns its record, encoded as {@link DependencyRecord} reads it:
     *
     * <pre>
     * interval i32, closed-at i64 (wall clock, ms since the epoch), ranks i32, sent-so-far ranks x i64,
     * S i32, S x (to i32, seq i64), R i32, R x (from i32, seq i64, sender's interval i32)
     * </pre>
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
        int moved = 0;
        if (deferred.length > 0) {
            java.util.Set<Long> later = new java.util.HashSet<>();
            for (long[] d : deferred) {
                later.add(d[0] << 44 ^ d[1]);
            }
            // Stable partition: kept receives first, deferred ones after them, each in its order.
            long[] kept = new long[3 * receiveCount];
            long[] next = new long[3 * deferred.length];
            int k = 0;
            for (int i = 0; i < receiveCount; i++) {
                boolean defer = moved < deferred.length && later.contains(receives[3 * i] << 44 ^ receives[3 * i + 1]);
                long[] to = defer ? next : kept;
                int at = defer ? 3 * moved++ : 3 * k++;
                System.arraycopy(receives, 3 * i, to, at, 3);
            }
            System.arraycopy(kept, 0, receives, 0, 3 * k);
            System.arraycopy(next, 0, receives, 3 * k, 3 * moved);
        }
        int recorded = receiveCount - moved;
        ByteBuffer b = ByteBuffer.allocate(16 + 8 * ranks + 4 + 12 * sendCount + 4 + 16 * recorded);
        b.putInt(interval).putLong(System.currentTimeMillis()).putInt(ranks);
        for (long s : sent) {
            b.putLong(s);
        }
        b.putInt(sendCount);
        for (int i = 0; i < sendCount; i++) {
            b.putInt((int) sends[2 * i]).putLong(sends[2 * i + 1]);
        }
        b.putInt(recorded);
        for (int i = 0; i < recorded; i++) {
            b.putInt((int) receives[3 * i]).putLong(receives[3 * i + 1]).putInt((int) receives[3 * i + 2]);
        }
        interval++;
        sendCount = 0;
        System.arraycopy(receives, 3 * recorded, receives, 0, 3 * moved);
        receiveCount = moved;
        return b.array();
    }

    /**
     * Continues after a restore from the record a checkpoint's {@link #close()} wrote. Messages other ranks sent
     * since they restored may have been accepted already (a rank restores inside its first
     * {@code Checkpoint.restoreOr}, after {@code MPI.Init}): their receives stay in the record of the interval that
     * now begins. Called on the program's thread; it changes nothing accepts touch.
     */
    void restore(byte[] record) {
        DependencyRecord r = DependencyRecord.decode(record);
        interval = r.interval() + 1;
        System.arraycopy(r.sentSoFar(), 0, sent, 0, ranks);
        sendCount = 0;
        beforeRestore = false;
    }
}
