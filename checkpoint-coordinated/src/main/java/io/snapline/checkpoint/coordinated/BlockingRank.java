package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;

/**
 * The rank half of the blocking coordinated protocol, a state machine driven by safe points (program thread) and
 * coordinator messages (any thread).
 *
 * <pre>
 *             REQUEST(id) seen at safe point p: send POSITION(id, p)
 *   RUNNING ------------------------------------------------------> REPORTED(id)
 *      ^                                                                |  AT(id, K) arrives
 *      |  checkpoint id taken at safe point K                           v
 *      +------------------------------------------------------------ ARMED(id, K)
 *   ABANDON(id) in REPORTED or ARMED: back to RUNNING
 * </pre>
 *
 * A rank in REPORTED that reaches its next safe point waits there until the coordinator names K (K is at least
 * that safe point, since every rank reported at an earlier one). With {@code --every N} no coordination is needed:
 * every rank checkpoints at safe points N, 2N, ... and numbers them in order.
 *
 * <p>Taking checkpoint {@code id} at safe point K: flush every channel (markers), capture the image, flush again so
 * no rank resumes sending before every rank has captured, write the piece, report PREPARED and wait for COMMITTED
 * (or ABANDON). The coordinator commits once every rank has prepared (phase two); a rank that dies before that
 * leaves the previous checkpoint in force, and once any rank resumes, the checkpoint it took is the one a restart
 * uses.
 */
final class BlockingRank implements RankPolicy {
    enum State { RUNNING, REPORTED, ARMED }

    private final RankServices services;
    private final long every;
    private volatile long requested;
    private volatile long alignedId;
    private volatile long alignedPoint;
    private volatile long closed;
    /** The newest checkpoint the coordinator committed or abandoned, as far as this rank has heard. */
    private volatile long settled;
    private long reported;
    private long nextEveryId;
    /** Time spent waiting for the coordinator to place the next checkpoint; part of what it held this rank back. */
    private long placementWait;

    BlockingRank(RankServices services) {
        this.services = services;
        this.every = services.settings().every();
        this.nextEveryId = services.firstCheckpointId(); // above every id in the store, damaged ones included
    }

    /** Where this rank stands; for tests and diagnostics. */
    State state() {
        if (reported == 0 || closed >= reported) {
            return State.RUNNING;
        }
        return alignedId == reported ? State.ARMED : State.REPORTED;
    }

    @Override
    public void atPoint(long point) {
        if (every > 0) {
            if (point % every == 0) {
                take(CheckpointId.of(nextEveryId++), point);
            }
            return;
        }
        while (true) {
            switch (state()) {
                case ARMED -> {
                    if (point == alignedPoint) {
                        take(CheckpointId.of(reported), point);
                        closed = reported; // done with it: back to RUNNING
                        return;
                    }
                    if (point > alignedPoint) {
                        throw new IllegalStateException("rank " + services.rank() + " passed safe point "
                                + alignedPoint + " of checkpoint " + reported + " without taking it");
                    }
                    return;
                }
                case REPORTED -> {
                    long start = services.nanoTime();
                    services.await(() -> state() != State.REPORTED,
                            "safe point " + point + ", waiting for the coordinator to place checkpoint " + reported);
                    placementWait += services.nanoTime() - start;
                }
                case RUNNING -> {
                    long r = requested;
                    if (r > reported) {
                        reported = r;
                        services.toCoordinator(BlockingMessage.encode(new BlockingMessage.Position(r, point)));
                    }
                    return;
                }
            }
        }
    }

    private void take(CheckpointId id, long point) {
        long start = services.nanoTime();
        services.toCoordinator(BlockingMessage.encode(new BlockingMessage.Frozen(id.value(), point)));
        services.flushChannels(id, 0);
        RankImage image = services.capture(id, point);
        services.flushChannels(id, 1);
        services.aboutToWrite(id);
        PieceRef piece = services.writePiece(id, image);
        long written = services.nanoTime() - start + placementWait;
        placementWait = 0;
        services.toCoordinator(BlockingMessage.encode(new BlockingMessage.Prepared(id.value(), point, written, piece)));
        services.await(() -> settled >= id.value(), "safe point " + point + ", waiting for checkpoint " + id
                + " to be committed");
    }

    @Override
    public void onControl(byte[] message) {
        BlockingMessage m = BlockingMessage.decode(message);
        if (m instanceof BlockingMessage.Request r) {
            requested = Math.max(requested, r.id());
        } else if (m instanceof BlockingMessage.At a) {
            alignedPoint = a.point();
            alignedId = a.id();
        } else if (m instanceof BlockingMessage.Abandon a) {
            closed = Math.max(closed, a.id());
            settled = Math.max(settled, a.id());
        } else if (m instanceof BlockingMessage.Committed c) {
            settled = Math.max(settled, c.id());
        } else {
            throw new IllegalArgumentException("a rank does not accept " + m);
        }
        services.wake();
    }
}
