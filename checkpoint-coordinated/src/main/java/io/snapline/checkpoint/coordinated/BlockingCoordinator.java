package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The coordinator half of the blocking protocol, a state machine driven by the clock and the ranks' messages.
 *
 * <pre>
 *          interval elapsed: REQUEST(id) to all              every rank sent POSITION: K = max + 1,
 *   IDLE ------------------------------------> POLLING(id) ---------------------------------> ALIGNED(id, K)
 *    ^                                             |           AT(id, K) to all                      |
 *    |  a rank finished first: ABANDON(id) to all  |                                                 |
 *    +---------------------------------------------+                                                 |
 *    |  every rank PREPARED: commit the manifest (phase two)                                         |
 *    +-----------------------------------------------------------------------------------------------+
 * </pre>
 *
 * With {@code --every N} the ranks need no placement: the coordinator only gathers PREPARED messages per checkpoint
 * and commits each checkpoint once all ranks have prepared it, in id order. Once any rank has finished, no new
 * checkpoint is requested (it could never complete).
 *
 * <p>Every rank reports FROZEN when it stops to take a checkpoint. If some ranks have been frozen for longer than
 * the stall timeout while others have not arrived, the ranks' safe points are not mutually reachable (or a rank is
 * stuck): the job is ended with a message naming the ranks, instead of hanging.
 */
final class BlockingCoordinator implements PolicyCoordinator {
    enum State { IDLE, POLLING, ALIGNED, DONE }

    private final CoordinatorServices services;
    private final int n;
    private final long intervalNanos;
    private final boolean every;
    private State state = State.IDLE;
    private long id;
    private long lastEnd = Long.MIN_VALUE;
    private final long[] positions;
    private final boolean[] finished;
    private long alignedPoint;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final TreeMap<Long, Freeze> frozen = new TreeMap<>();
    private final long stallNanos;
    private long now;

    /** The ranks that stopped for one checkpoint, and when the first did. */
    private static final class Freeze {
        final boolean[] ranks;
        final long since;
        long point;
        int count;

        Freeze(int n, long since) {
            ranks = new boolean[n];
            this.since = since;
        }
    }

    /** The pieces gathered so far for one checkpoint. */
    private static final class Pending {
        final PieceRef[] pieces;
        final long[] blocked;
        long point;
        int count;

        Pending(int n) {
            pieces = new PieceRef[n];
            blocked = new long[n];
        }
    }

    BlockingCoordinator(CoordinatorServices services) {
        this.services = services;
        this.n = services.ranks();
        this.every = services.settings().every() > 0;
        this.intervalNanos = every ? 0 : services.settings().interval().toNanos();
        this.positions = new long[n];
        this.finished = new boolean[n];
        this.id = services.nextId().value() - 1;
        this.stallNanos = services.settings().stallTimeout().toNanos();
    }

    State state() {
        return state;
    }

    @Override
    public void onTick(long now) {
        this.now = now;
        checkStalls(now);
        if (lastEnd == Long.MIN_VALUE) {
            lastEnd = now;
        }
        if (!every && state == State.IDLE && now - lastEnd >= intervalNanos) {
            id = Math.max(id + 1, services.nextId().value());
            Arrays.fill(positions, -1);
            state = State.POLLING;
            services.broadcast(BlockingMessage.encode(new BlockingMessage.Request(id)));
        }
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        BlockingMessage m = BlockingMessage.decode(message);
        if (m instanceof BlockingMessage.Position p) {
            onPosition(rank, p);
        } else if (m instanceof BlockingMessage.Prepared p) {
            onPrepared(rank, p);
        } else if (m instanceof BlockingMessage.Frozen f) {
            Freeze z = frozen.computeIfAbsent(f.id(), k -> new Freeze(n, now));
            if (!z.ranks[rank]) {
                z.ranks[rank] = true;
                z.count++;
            }
            z.point = f.point();
            if (z.count == n) {
                frozen.remove(f.id());
            }
        } else {
            throw new IllegalArgumentException("the coordinator does not accept " + m + " (from rank " + rank + ")");
        }
    }

    private void onPosition(int rank, BlockingMessage.Position p) {
        if (state != State.POLLING || p.id() != id) {
            return; // a position for a checkpoint already abandoned
        }
        positions[rank] = p.point();
        long max = Long.MIN_VALUE;
        for (long q : positions) {
            if (q < 0) {
                return;
            }
            max = Math.max(max, q);
        }
        alignedPoint = max + 1;
        state = State.ALIGNED;
        services.broadcast(BlockingMessage.encode(new BlockingMessage.At(id, alignedPoint)));
    }

    private void onPrepared(int rank, BlockingMessage.Prepared p) {
        if (!every && (state != State.ALIGNED || p.id() != id)) {
            return;
        }
        Pending c = pending.computeIfAbsent(p.id(), k -> new Pending(n));
        if (c.pieces[rank] == null) {
            c.count++;
        }
        c.pieces[rank] = p.piece();
        c.blocked[rank] = p.blockedNanos();
        c.point = p.point();
        while (!pending.isEmpty() && pending.firstEntry().getValue().count == n) {
            var first = pending.pollFirstEntry();
            commit(first.getKey(), first.getValue());
        }
    }

    /** Ends the job when ranks have waited at a checkpoint longer than the stall timeout for others to arrive. */
    private void checkStalls(long now) {
        for (var e : frozen.entrySet()) {
            Freeze z = e.getValue();
            if (now - z.since >= stallNanos) {
                StringBuilder waiting = new StringBuilder();
                StringBuilder missing = new StringBuilder();
                for (int r = 0; r < n; r++) {
                    StringBuilder b = z.ranks[r] ? waiting : finished[r] ? null : missing;
                    if (b != null) {
                        b.append(b.length() == 0 ? "" : ", ").append(r);
                    }
                }
                services.fail("checkpoint " + e.getKey() + ": rank(s) " + waiting + " have waited "
                        + (now - z.since) / 1_000_000_000L + " s at safe point " + z.point + " for rank(s) " + missing
                        + ", which have not reached it. Under --checkpoint coordinated the k-th safe points of all "
                        + "ranks must be reachable without messages sent after another rank's k-th safe point "
                        + "(see docs/checkpointing.md); a longer --checkpoint-timeout helps if ranks are only slow");
                frozen.clear();
                return;
            }
        }
    }

    private void commit(long checkpoint, Pending c) {
        List<PieceRef> pieces = new ArrayList<>(Arrays.asList(c.pieces));
        boolean committed = services.commit(new Manifest(CheckpointId.of(checkpoint), n, pieces), c.point, c.blocked);
        services.broadcast(BlockingMessage.encode(committed ? new BlockingMessage.Committed(checkpoint)
                : new BlockingMessage.Abandon(checkpoint)));
        if (!every && state == State.ALIGNED) {
            state = anyFinished() ? State.DONE : State.IDLE;
        }
        lastEnd = Long.MIN_VALUE; // the next interval starts at the next tick
    }

    private boolean anyFinished() {
        for (boolean f : finished) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onRankFinished(int rank) {
        finished[rank] = true;
        if (every) {
            return; // checkpoints the ranks already prepared can still complete; no new ones start
        }
        Pending current = pending.get(id);
        boolean prepared = current != null && current.pieces[rank] != null;
        if (state == State.POLLING || state == State.ALIGNED && !prepared) {
            services.broadcast(BlockingMessage.encode(new BlockingMessage.Abandon(id)));
            services.log("checkpoint " + id + " abandoned: rank " + rank + " finished before reaching it");
            pending.remove(id);
            state = State.DONE;
        } else if (state == State.IDLE) {
            state = State.DONE;
        }
    }
}
