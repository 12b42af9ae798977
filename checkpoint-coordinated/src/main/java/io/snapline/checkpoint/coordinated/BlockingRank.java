package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.AsyncWriter;
import io.snapline.runtime.checkpoint.CheckpointDeferred;
import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.WaitListener;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;

/**
 * The rank half of the blocking coordinated protocol: a state machine driven by safe points (the program's thread),
 * coordinator messages (any thread) and the rank's waits inside the runtime (the program's thread).
 *
 * <pre>
 *              OPEN(id)                       REQUEST(id), or RELEASE(id, k) when FROZEN
 *   RUNNING ------------> OPEN ---------------------------------------------------> ARMED
 *      |                   | --every due point                                        | next safe point p
 *      | --every due point |                                                          | (k-th after RELEASE):
 *      |                   |                                                          | FROZEN(id, p)
 *      +-------------------+-------------------------> FROZEN <-----------------------+
 *                                                        |  GO(id): flush, capture, flush, write, PREPARED
 *                                                        v
 *   RUNNING <---------------- COMMITTED(id) or ABANDON(id) ------------------------ TAKING
 *      ^                                                                                  | --async: captured,
 *      +---------------------- COMMITTED(id) or ABANDON(id) ---------- WRITING <----------+ the program runs on
 *   ABANDON(id) in OPEN, ARMED or FROZEN: back to RUNNING; ABANDON(id, last): CLOSED (no more checkpoints)
 * </pre>
 *
 * A frozen rank waits at its safe point, running no program code, until the coordinator has every rank frozen (GO),
 * lets it run on to a later safe point because some rank that has not frozen waits for it (RELEASE), or gives the
 * checkpoint up (ABANDON). While a checkpoint is open and this rank runs, it tells the coordinator each time it starts
 * or stops waiting inside the runtime (WAITING), which is how the coordinator sees that ranks that have not frozen
 * cannot get to a safe point without a frozen one.
 *
 * <p>Taking checkpoint {@code id}, with every rank frozen: flush every channel (markers), capture the image, flush
 * again so no rank resumes sending before every rank has captured, write the piece, report PREPARED and wait for
 * COMMITTED (or ABANDON). The coordinator commits once every rank has prepared (phase two).
 *
 * <p>Under {@code --async} the rank is frozen only until the second flush: the consistent cut is the moment of the
 * capture, and the piece is written on the rank's writer thread (WRITING) while the program runs on; PREPARED follows
 * the durable write, and the checkpoint commits once every rank's piece is durable. A checkpoint that falls due
 * (--every) while one is WRITING waits for its commit: the coordinator cannot place another before, and every rank
 * agreed on the next one, so none skips it; the wait is blocked time and reported as such.
 */
final class BlockingRank implements RankPolicy, WaitListener {
    enum State { RUNNING, OPEN, ARMED, FROZEN, TAKING, WRITING, CLOSED }

    /** Every change of state, and why ({@code snaprun -v}). */
    private static final System.Logger LOG = System.getLogger("io.snapline.checkpoint.coordinated");

    private final RankServices services;
    private final long every;
    /** {@code --async}: the piece is written in the background; null when it is written while frozen. */
    private final AsyncWriter writes;
    /** Guarded by this. */
    private State state = State.RUNNING;
    /** The open checkpoint as far as this rank knows (0: none, or frozen for a due --every point before hearing). */
    private long id;
    /** The newest checkpoint committed or abandoned; messages about older ones are stale. */
    private long closed;
    /** The newest checkpoint this rank knows to be settled (committed or abandoned). */
    private volatile long settled;
    private boolean reportedWaiting;
    private int[] reportedPeers;
    /** Why the state last changed, for diagnostics. */
    private String reason = "started";
    /** Program thread only: the next safe point at which --every wants a checkpoint (0: not yet computed). */
    private long nextDue;
    /** Safe points an ARMED rank passes before it freezes (a RELEASE may ask for more than one). Guarded by this. */
    private int pass;
    /** Program thread only: time this rank has been held back by the current checkpoint so far. */
    private long held;

    BlockingRank(RankServices services) {
        this.services = services;
        this.every = BlockingPolicy.every(services.settings());
        this.writes = services.settings().async() ? AsyncWriter.of(services, false) : null;
        services.watchWaits(this);
    }

    synchronized State state() {
        return state;
    }

    synchronized String reason() {
        return reason;
    }

    /** The single place the state changes. Called with this monitor held. */
    private void transition(State next, String why) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "rank " + services.rank() + " " + state + " -> " + next + ": " + why);
        }
        state = next;
        reason = why;
    }

    @Override
    public void atPoint(long point) {
        boolean due = false;
        if (every > 0) {
            if (nextDue == 0) {
                nextDue = dueAfter(point - 1);
            }
            due = point >= nextDue;
        }
        if (writes != null && !writes.inFlight()) {
            writes.awaitWrite(); // a write that failed fails the rank here
        }
        if (due && state() == State.WRITING) {
            awaitCommit(point);
        }
        long checkpoint;
        synchronized (this) {
            boolean armed = state == State.ARMED;
            if (armed && pass > 0) {
                pass--;
                armed = false;
            }
            boolean freeze = armed || due && (state == State.RUNNING || state == State.OPEN);
            if (!freeze) {
                if (due) {
                    nextDue = dueAfter(point);
                }
                return;
            }
            transition(State.FROZEN, "froze at safe point " + point);
            reportedWaiting = false;
            checkpoint = id;
            services.toCoordinator(BlockingMessage.encode(new BlockingMessage.Frozen(checkpoint, point)));
        }
        long start = services.nanoTime();
        services.await(() -> state() != State.FROZEN, "safe point " + point + ", frozen for checkpoint "
                + (checkpoint == 0 ? "" : checkpoint + " ") + "until every rank reaches a safe point");
        held += services.nanoTime() - start;
        State now;
        synchronized (this) {
            now = state;
            checkpoint = id;
        }
        if (now == State.TAKING) {
            take(CheckpointId.of(checkpoint), point);
        } else if (now != State.ARMED) {
            held = 0; // abandoned
        }
        if (now != State.ARMED && every > 0) {
            nextDue = dueAfter(point);
        }
    }

    /** The first safe point after {@code point} at which --every N wants a checkpoint. */
    private long dueAfter(long point) {
        return (point / every + 1) * every;
    }

    private void take(CheckpointId checkpoint, long point) {
        if (writes != null) {
            writes.awaitWrite(); // the last write's commit can come before its task is done: one in flight at most
        }
        long start = services.nanoTime();
        services.flushChannels(checkpoint, 0);
        RankImage image = services.capture(point, Cut.at(checkpoint));
        services.flushChannels(checkpoint, 1);
        if (writes != null) {
            long blocked = held + services.nanoTime() - start;
            held = 0;
            synchronized (this) {
                transition(State.WRITING, "captured checkpoint " + checkpoint + "; its piece is being written");
            }
            writes.start(checkpoint.value(), () -> {
                services.aboutToWrite(checkpoint);
                PieceRef piece = services.writePiece(checkpoint, image);
                services.toCoordinator(BlockingMessage.encode(
                        new BlockingMessage.Prepared(checkpoint.value(), point, blocked, piece)));
            });
            return;
        }
        services.aboutToWrite(checkpoint);
        PieceRef piece = services.writePiece(checkpoint, image);
        long blocked = held + services.nanoTime() - start;
        held = 0;
        services.toCoordinator(BlockingMessage.encode(
                new BlockingMessage.Prepared(checkpoint.value(), point, blocked, piece)));
        services.await(() -> settled >= checkpoint.value(), "safe point " + point + ", waiting for checkpoint "
                + checkpoint + " to be committed");
    }

    /**
     * Under {@code --async}, a checkpoint is due at {@code point} while the previous one is WRITING: waits until it
     * is committed (or abandoned), counting the wait as time held by the next checkpoint, and reports the wait. A
     * failed write of this rank's piece ends the rank here.
     */
    private void awaitCommit(long point) {
        long start = services.nanoTime();
        long inFlight;
        synchronized (this) {
            inFlight = id;
        }
        writes.awaitWrite();
        services.awaitCheckpoint(() -> state() != State.WRITING, "safe point " + point + ", waiting for checkpoint "
                + inFlight + " to be committed before the next one");
        long waited = services.nanoTime() - start;
        held += waited;
        services.deferred(new CheckpointDeferred(false, point, inFlight, false, waited));
    }

    /** The rank finishes: a piece still being written is finished, and its checkpoint committed or abandoned. */
    @Override
    public void finish() {
        if (writes != null) {
            writes.awaitWrite();
            services.awaitCheckpoint(() -> state() != State.WRITING, "finishing, waiting for the checkpoint being "
                    + "written to be committed");
        }
    }

    @Override
    public synchronized void waitingChanged(boolean waiting, int[] peers) {
        int[] on = waiting ? peers : null;
        if ((state == State.OPEN || state == State.ARMED)
                && (waiting != reportedWaiting || !java.util.Arrays.equals(on, reportedPeers))) {
            reportedWaiting = waiting;
            reportedPeers = on;
            services.toCoordinator(BlockingMessage.encode(new BlockingMessage.Waiting(id, waiting, on)));
        }
    }

    /** On hearing of an open checkpoint: a rank already waiting says so at once (no new wait will tell). */
    private void reportIfWaiting() {
        reportedWaiting = false;
        reportedPeers = null;
        services.reportWait(this);
    }

    @Override
    public void onControl(byte[] message) {
        BlockingMessage m = BlockingMessage.decode(message);
        synchronized (this) {
            apply(m);
        }
        services.wake();
    }

    private void apply(BlockingMessage m) {
        if (m instanceof BlockingMessage.Request r) {
            if (r.id() > closed && (state == State.RUNNING || state == State.OPEN)) {
                id = r.id();
                pass = 0;
                transition(State.ARMED, "checkpoint " + id + " requested");
                reportIfWaiting();
            } else if (state == State.FROZEN && id == 0) {
                id = r.id();
            }
        } else if (m instanceof BlockingMessage.Open o) {
            if (o.id() > closed && state == State.RUNNING) {
                id = o.id();
                transition(State.OPEN, "checkpoint " + id + " opened by another rank's schedule");
                reportIfWaiting();
            } else if (state == State.FROZEN && id == 0) {
                id = o.id();
            }
        } else if (m instanceof BlockingMessage.Go g) {
            if (state == State.FROZEN) {
                id = g.id();
                transition(State.TAKING, "every rank is frozen for checkpoint " + id);
            }
        } else if (m instanceof BlockingMessage.Release r) {
            if (state == State.FROZEN && (id == r.id() || id == 0)) {
                id = r.id();
                pass = Math.max(0, r.points() - 1);
                transition(State.ARMED, "released to the " + (r.points() <= 1 ? "next safe point"
                        : r.points() + "th safe point from here") + ": a rank that has not frozen waits");
            }
        } else if (m instanceof BlockingMessage.Abandon a) {
            closed = Math.max(closed, a.id());
            settled = Math.max(settled, a.id());
            boolean mine = id == a.id() || id == 0;
            boolean open = state == State.OPEN || state == State.ARMED || state == State.FROZEN
                    || state == State.TAKING || state == State.WRITING;
            if (open && mine || state == State.RUNNING && a.last()) {
                id = 0;
                transition(a.last() ? State.CLOSED : State.RUNNING, "checkpoint " + a.id() + " abandoned"
                        + (a.last() ? "; no more checkpoints in this attempt" : ""));
            }
        } else if (m instanceof BlockingMessage.Committed c) {
            closed = Math.max(closed, c.id());
            settled = Math.max(settled, c.id());
            if ((state == State.TAKING || state == State.WRITING) && id == c.id()) {
                id = 0;
                transition(State.RUNNING, "checkpoint " + c.id() + " committed");
            }
        } else {
            throw new IllegalArgumentException("a rank does not accept " + m);
        }
    }
}
