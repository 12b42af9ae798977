package io.snapline.runtime.determinant;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import io.snapline.runtime.engine.ChoiceHook;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One rank's determinant recorder: binds a {@link Recording} and a {@link Replay} to the rank's engine through the
 * {@link ChoiceHook}, which it installs on the {@link Endpoint} only while it records, replays, or has seen the
 * rank diverge from a replay (then every non-deterministic operation raises the same error again).
 *
 * <p>Locking: this object's monitor guards the record of wildcard choices and outcomes; {@link Watch#matched} takes
 * it under the mailbox lock, so nothing here calls into the engine while holding it (installing the hook is a
 * volatile write). A {@link Seen} (a named receive the program may test) takes no lock: its fields are written before
 * the receive is published complete and read only after a test saw it complete.
 */
public final class DeterminantRecorder implements Determinants, ChoiceHook {
    private static final int[] NONE = new int[0];

    private final int rank;
    private final Endpoint endpoint;
    /** Volatile for {@link #undrained}, which reads it without the lock; changed under the lock. */
    private volatile Recording recording;
    private Replay replay;
    /**
     * Whether a receive or {@code Probe} that names its source is free whatever its tag (not recorded, not replayed):
     * under a continuous recording ({@link #record(Mark)}, message logging), whose replays have every message sent
     * again as it was. A bounded recording ({@link #record()}, {@code coordinated-nb}) records one with {@code ANY_TAG}:
     * its replay ends at the first event that observed a message its sender will not send again, and such a receive
     * may be that event.
     */
    private boolean namedSourceFree;
    /** Set under the lock; read without it when a receive that names its source and tag is posted. */
    private volatile ReplayMismatchException failure;
    /** What the probe or test under way must report (program thread: one at a time), and the replay it comes from. */
    private Probed forcedProbe;
    private Completed forcedCompletion;
    private long forcedNumber;
    private Replay forcedBy;

    public DeterminantRecorder(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.rank = endpoint.rank();
    }

    // ------------------------------------------------------------------ Determinants

    @Override
    public synchronized void record() {
        recording = new Recording();
        namedSourceFree = false;
        install();
    }

    @Override
    public synchronized void record(Mark from) {
        recording = new Recording(from);
        namedSourceFree = true;
        install();
    }

    @Override
    public synchronized Mark mark() {
        return recording == null ? null : recording.mark();
    }

    @Override
    public boolean undrained() {
        Recording r = recording;
        return r != null && r.undrained();
    }

    @Override
    public synchronized Drained drainAll() {
        return recording == null ? EMPTY_DRAIN : recording.drainAll();
    }

    private static final Drained EMPTY_DRAIN = new Drained(0, DeterminantLog.EMPTY, List.of());

    @Override
    public synchronized void replay(DeterminantLog log, long[] reproducibleUpTo, long skipIdleCalls) {
        replay = new Replay(rank, log, reproducibleUpTo, skipIdleCalls);
        namedSourceFree = true;
        endIfOver();
        install();
    }

    @Override
    public synchronized DeterminantLog endRecording() {
        if (recording == null) {
            return DeterminantLog.EMPTY;
        }
        DeterminantLog log = recording.finish();
        recording = null;
        install();
        return log;
    }

    @Override
    public synchronized DeterminantLog drainRecording() {
        return recording == null ? DeterminantLog.EMPTY : recording.drain();
    }

    @Override
    public synchronized void dropRecording() {
        recording = null;
        install();
    }

    @Override
    public synchronized void replay(DeterminantLog log, long[] reproducibleUpTo) {
        replay = new Replay(rank, log, reproducibleUpTo);
        namedSourceFree = false;
        endIfOver();
        install();
    }

    @Override
    public synchronized boolean replaying() {
        return replay != null;
    }

    @Override
    public synchronized void programEnded() {
        if (replay != null) {
            throw fail(replay.unfinished());
        }
    }

    private void install() {
        endpoint.setChoiceHook(recording != null || replay != null || failure != null ? this : null);
    }

    private void endIfOver() {
        if (replay != null && replay.isOver()) {
            replay = null;
            install();
        }
    }

    // ------------------------------------------------------------------ ChoiceHook

    @Override
    public Receive receive(int source, int tag, int context, boolean visible) {
        if (source != Determinant.ANY && (tag != Determinant.ANY || namedSourceFree)) {
            // Not a choice: it matches the earliest message from its source (with its tag) that no receive posted
            // before it took (messages from one sender arrive in send order), and which ones those took is recorded
            // where it was a choice. But a test that reports it complete observes the message it matched: watched
            // (without the lock) only when the program may test it.
            return visible && failure == null ? new Seen(source) : null;
        }
        return choice(source, tag, context);
    }

    /** A receive from ANY_SOURCE is being posted: forced on replay, recorded while recording. */
    private synchronized Receive choice(int source, int tag, int context) {
        check();
        Received forced = null;
        long number = 0;
        Replay by = replay;
        if (by != null) {
            forced = replaying(() -> by.receive(source, tag, context));
            number = by.number();
            endIfOver();
        }
        Recording.Slot slot = recording == null ? null : recording.receive(source, tag, context);
        return new Watch(by, forced, number, slot, forced == null ? source : forced.matched().source());
    }

    @Override
    public synchronized int probe(boolean blocking, int source, int tag, int context) {
        check();
        forcedProbe = null;
        if (blocking && source != Determinant.ANY && namedSourceFree) {
            return FREE; // a Probe of a named source: no choice (see receive)
        }
        Replay by = replay;
        if (by == null) {
            return FREE;
        }
        Determinant d = replaying(() -> by.probe(blocking, source, tag, context));
        long number = by.number();
        endIfOver();
        if (d == null) {
            return FREE;
        }
        if (d instanceof Idle) {
            return NOTHING;
        }
        forcedProbe = (Probed) d;
        forcedNumber = number;
        forcedBy = by;
        return forcedProbe.found().source();
    }

    @Override
    public synchronized void probed(boolean blocking, int source, int tag, int context, Message found) {
        if (blocking && source != Determinant.ANY && namedSourceFree) {
            return;
        }
        Matched seen = found == null ? null : new Matched(found.source(), found.tag(), found.seq());
        Probed forced = forcedProbe;
        forcedProbe = null;
        if (forced != null) {
            ReplayMismatchException e = seen == null ? null : forcedBy.checkProbed(forced, forcedNumber, seen);
            if (e != null) {
                throw fail(e);
            }
        }
        if (recording != null) {
            recording.probed(blocking, source, tag, context, seen);
        }
    }

    @Override
    public synchronized int[] complete(Completion op, Request[] requests) {
        check();
        forcedCompletion = null;
        Replay by = replay;
        if (by == null) {
            return null;
        }
        Determinant d = replaying(() -> by.complete(op(op), requests.length, i -> requests[i] != null));
        long number = by.number();
        endIfOver();
        if (d == null) {
            return null;
        }
        if (d instanceof Idle) {
            return NONE;
        }
        Completed c = (Completed) d;
        forcedCompletion = c;
        forcedNumber = number;
        forcedBy = by;
        int[] indices = new int[c.done().size()];
        for (int k = 0; k < indices.length; k++) {
            indices[k] = c.done().get(k).index();
        }
        return indices;
    }

    @Override
    public synchronized void completed(Completion op, Request[] requests, int[] indices) {
        Completed forced = forcedCompletion;
        forcedCompletion = null;
        if (forced == null && recording == null) {
            return;
        }
        List<Done> done = indices.length == 0 ? List.of() : new ArrayList<>(indices.length);
        for (int i : indices) {
            Matched m = seenBy(requests[i].choice());
            if (forced != null) {
                ReplayMismatchException e = forcedBy.checkCompleted(forced, forcedNumber, i, m);
                if (e != null) {
                    throw fail(e);
                }
            }
            done.add(new Done(i, m));
        }
        if (recording != null) {
            recording.completed(op(op), requests.length, done);
        }
    }

    /** The message a watched receive matched, or null. */
    private static Matched seenBy(Receive watch) {
        if (watch instanceof Watch w) {
            return w.seen;
        }
        return watch instanceof Seen s ? s.seen() : null;
    }

    private static Op op(Completion c) {
        return switch (c) {
            case TEST -> Op.TEST;
            case TESTALL -> Op.TESTALL;
            case TESTANY -> Op.TESTANY;
            case TESTSOME -> Op.TESTSOME;
            case WAITANY -> Op.WAITANY;
            case WAITSOME -> Op.WAITSOME;
        };
    }

    // ------------------------------------------------------------------ failures

    /** Runs a step of the replay; a mismatch it finds becomes the rank's failure. */
    private <T> T replaying(Supplier<T> step) {
        try {
            return step.get();
        } catch (ReplayMismatchException e) {
            throw fail(e);
        }
    }

    private ReplayMismatchException fail(ReplayMismatchException e) {
        if (failure == null) {
            failure = e;
        }
        replay = null;
        install();
        return e;
    }

    /** A rank that diverged from its replay raises that error again at every non-deterministic operation. */
    private void check() {
        if (failure != null) {
            throw new ReplayMismatchException(failure.getMessage());
        }
    }

    /**
     * A receive that names its source and tag and that the program may test: the message it matched is what a test
     * that reports it complete observed. Set by the delivering thread before the receive is published complete
     * (without the recorder's lock), read by the program's thread once a test saw it complete.
     */
    private static final class Seen implements Receive {
        private final int posted;
        private int source;
        private int tag;
        /** The matched message's number; -1 until it matched. */
        private long seq = -1;

        Seen(int posted) {
            this.posted = posted;
        }

        @Override
        public int source() {
            return posted;
        }

        @Override
        public EngineException matched(int from, int t, long number) {
            source = from;
            tag = t;
            seq = number;
            return null;
        }

        Matched seen() {
            return seq < 0 ? null : new Matched(source, tag, seq);
        }
    }

    /**
     * A receive from ANY_SOURCE, watched from its posting to its match: forced on replay and recorded, and the message
     * it matched is what a later test that reports it complete observed.
     */
    private final class Watch implements Receive {
        private final Replay by;
        private final Received forced;
        private final long number;
        private final Recording.Slot slot;
        private final int source;
        /** The message it matched (set under the recorder's lock before the receive completes), or null. */
        private Matched seen;

        Watch(Replay by, Received forced, long number, Recording.Slot slot, int source) {
            this.by = by;
            this.forced = forced;
            this.number = number;
            this.slot = slot;
            this.source = source;
        }

        @Override
        public int source() {
            return source;
        }

        @Override
        public EngineException matched(int from, int tag, long seq) {
            synchronized (DeterminantRecorder.this) {
                seen = new Matched(from, tag, seq);
                if (forced != null) {
                    ReplayMismatchException e = by.checkReceived(forced, number, seen);
                    if (e != null) {
                        return fail(e);
                    }
                }
                if (slot != null && recording != null) {
                    recording.matched(slot, seen);
                }
                return null;
            }
        }
    }
}
