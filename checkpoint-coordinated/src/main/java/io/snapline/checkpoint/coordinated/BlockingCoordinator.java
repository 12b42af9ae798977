package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The coordinator half of the blocking protocol, a state machine driven by the clock and the ranks' messages.
 *
 * <pre>
 *          interval elapsed: REQUEST(id) to all, or
 *          a rank froze at its --every point: OPEN(id) to all            every rank FROZEN: GO(id) to all
 *   IDLE ---------------------------------------------------> OPEN(id) ---------------------------------> TAKING(id)
 *    ^  ^                                                     |    ^                                        |
 *    |  |  timeout: ABANDON(id)                               |    | some rank frozen, every other one      |
 *    |  +-------------------------------------------------- --+    | waits: RELEASE(id) to the frozen ones, |
 *    |                                                        +----+ REQUEST(id) to the others              |
 *    |  every rank PREPARED: commit the manifest (phase two), COMMITTED(id) to all                          |
 *    +------------------------------------------------------------------------------------------------------+
 *   a rank finished: ABANDON(id, last) to all, DONE (a finished rank cannot take part in a checkpoint)
 * </pre>
 *
 * <p>Placing a checkpoint: each rank freezes at its next safe point once it hears of the checkpoint (with
 * {@code --every N}, at its next N-th safe point), and the checkpoint is taken once all are frozen at the same time —
 * a consistent moment whatever safe points they froze at, since no rank runs and the channels are then flushed into
 * the image. Ranks that pass safe points at different rates (a master and its workers, a pipeline) can leave a rank
 * that has not frozen waiting for one that has: when every rank is either frozen or waiting inside the runtime
 * (blocked, or polling in vain), and has for a moment ({@link #RELEASE_AFTER_NANOS}, so that a message already on its
 * way can arrive), the frozen ranks they wait for are released and freeze again at a later safe point: the next one
 * at the first release, twice as far at each further release of the same rank for the same checkpoint while those
 * waiting for it stay unfrozen, as far as last time (not twice) when one of them froze since its last release.
 * A checkpoint that is still not placed after the checkpoint timeout is abandoned, reported, and the job runs on;
 * nothing about placing a checkpoint ever ends a job.
 */
final class BlockingCoordinator implements PolicyCoordinator {
    /** Every change of state, and why ({@code snaprun -v}). */
    private static final System.Logger LOG = System.getLogger("io.snapline.checkpoint.coordinated");
    enum State { IDLE, OPEN, TAKING, DONE }

    /** How long every unfrozen rank must have waited, with no news from any rank, before frozen ones are released. */
    static final long RELEASE_AFTER_NANOS = 10_000_000L;
    /**
     * A rank released again and again for one checkpoint, its waiters never freezing in between, runs past twice as
     * many safe points each time (1, 2, 4, ... up to 2^this), so that a rank far ahead of the others, whose peers keep
     * waiting for it, costs a number of releases logarithmic in the points it must run ahead, not one per point.
     */
    static final int MAX_RELEASE_DOUBLINGS = 16;

    private final CoordinatorServices services;
    private final int n;
    private final boolean every;
    private final long stallNanos;
    private State state = State.IDLE;
    private String reason = "started";
    private long id;
    private long lastEnd = Long.MIN_VALUE;
    private long now;
    private long openedAt;
    /** Whether the ranks of the open checkpoint were all asked to freeze at their next safe point. */
    private boolean requested;
    private int releases;
    /**
     * Per rank: the doubling level of its next release for the open checkpoint (it then freezes at its 2^level-th
     * point): up by one at each release, down by one first when a rank waiting for it froze since its last release.
     */
    private final int[] releasedTimes;
    /** Per rank: how often it froze for the open checkpoint. */
    private final long[] freezes;
    /** Per rank: the freezes of the ranks that waited for it, summed, when it was last released (-1: never). */
    private final long[] releasedAtFreezes;
    /**
     * Whether every rank that has not frozen waits (and some rank is frozen), as of the last report; and the first
     * tick that saw it so with no report since ({@link Long#MIN_VALUE}: none yet). A wait may end by a message a
     * frozen rank sent just before it froze, still on its way, so the frozen ranks are released only once this has
     * lasted {@link #RELEASE_AFTER_NANOS} of ticks.
     */
    private boolean stuck;
    private long stuckSince = Long.MIN_VALUE;
    private final boolean[] frozen;
    private final long[] frozenAt;
    private final boolean[] waiting;
    /** For a waiting rank: the ranks it waits for, or null for any rank. */
    private final int[][] waitsOn;
    private final boolean[] finished;
    private final PieceRef[] pieces;
    private final long[] blocked;
    private long point;
    private int prepared;

    BlockingCoordinator(CoordinatorServices services) {
        this.services = services;
        this.n = services.ranks();
        this.every = BlockingPolicy.every(services.settings()) > 0;
        this.stallNanos = services.settings().stallTimeout().toNanos();
        this.id = services.nextId().value() - 1;
        this.frozen = new boolean[n];
        this.releasedTimes = new int[n];
        this.freezes = new long[n];
        this.releasedAtFreezes = new long[n];
        this.frozenAt = new long[n];
        this.waiting = new boolean[n];
        this.waitsOn = new int[n][];
        this.finished = new boolean[n];
        this.pieces = new PieceRef[n];
        this.blocked = new long[n];
    }

    State state() {
        return state;
    }

    /** Why the state last changed. */
    String reason() {
        return reason;
    }

    /** How many times the open (or last) checkpoint released its frozen ranks. */
    int releases() {
        return releases;
    }

    /** The single place the state changes. */
    private void transition(State next, String why) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "coordinator " + state + " -> " + next + ": " + why);
        }
        state = next;
        reason = why;
    }

    /**
     * Opens a checkpoint once the interval in force ({@link CoordinatorServices#intervalNanos}, read at every tick:
     * under {@code --interval auto} it follows the costs of the committed checkpoints) has passed since the last one
     * ended; abandons or releases the open one.
     */
    @Override
    public void onTick(long now) {
        this.now = now;
        if (lastEnd == Long.MIN_VALUE) {
            lastEnd = now;
        }
        if (state == State.IDLE && !every && now - lastEnd >= services.intervalNanos()) {
            open(true);
        } else if (state == State.OPEN && now - openedAt >= stallNanos) {
            abandon(timeoutReason(), false);
        } else if (state == State.OPEN && stuck) {
            if (stuckSince == Long.MIN_VALUE) {
                stuckSince = now;
            } else if (now - stuckSince >= RELEASE_AFTER_NANOS) {
                release();
            }
        }
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        BlockingMessage m = BlockingMessage.decode(message);
        if (m instanceof BlockingMessage.Frozen f) {
            onFrozen(rank, f);
        } else if (m instanceof BlockingMessage.Waiting w) {
            if (state == State.OPEN && w.id() == id && !frozen[rank]) {
                waiting[rank] = w.waiting();
                waitsOn[rank] = w.peers();
                evaluate();
            }
        } else if (m instanceof BlockingMessage.Prepared p) {
            onPrepared(rank, p);
        } else {
            throw new IllegalArgumentException("the coordinator does not accept " + m + " (from rank " + rank + ")");
        }
    }

    private void onFrozen(int rank, BlockingMessage.Frozen f) {
        switch (state) {
            case IDLE -> {
                if (f.id() == 0 && every) {
                    open(false);
                    freeze(rank, f.point());
                }
                // otherwise stale: the rank froze for a checkpoint abandoned meanwhile and will hear of it
            }
            case OPEN -> {
                if (f.id() == 0 || f.id() == id) {
                    freeze(rank, f.point());
                }
            }
            case DONE -> services.send(rank, BlockingMessage.encode(new BlockingMessage.Abandon(id, true)));
            case TAKING -> { } // cannot happen: every rank is frozen or taking
        }
    }

    private void open(boolean request) {
        id = Math.max(id + 1, services.nextId().value());
        Arrays.fill(frozen, false);
        Arrays.fill(waiting, false);
        Arrays.fill(waitsOn, null);
        Arrays.fill(pieces, null);
        prepared = 0;
        releases = 0;
        Arrays.fill(releasedTimes, 0);
        Arrays.fill(freezes, 0);
        Arrays.fill(releasedAtFreezes, -1);
        stuck = false;
        stuckSince = Long.MIN_VALUE;
        requested = request;
        openedAt = now;
        transition(State.OPEN, request ? "the interval elapsed" : "a rank reached its --every safe point");
        services.broadcast(BlockingMessage.encode(request ? new BlockingMessage.Request(id)
                : new BlockingMessage.Open(id)));
    }

    private void freeze(int rank, long at) {
        freezes[rank]++;
        frozen[rank] = true;
        frozenAt[rank] = at;
        waiting[rank] = false;
        evaluate();
    }

    /** In OPEN: takes the checkpoint once every rank is frozen, releases the frozen ones when the others wait. */
    private void evaluate() {
        int frozenCount = 0;
        boolean othersWait = true;
        for (int r = 0; r < n; r++) {
            if (frozen[r]) {
                frozenCount++;
            } else if (!waiting[r]) {
                othersWait = false;
            }
        }
        if (frozenCount == n) {
            transition(State.TAKING, "every rank is frozen");
            services.broadcast(BlockingMessage.encode(new BlockingMessage.Go(id)));
        } else {
            stuck = frozenCount > 0 && othersWait;
            stuckSince = Long.MIN_VALUE;
        }
    }

    /**
     * Every rank that has not frozen waits: releases the frozen ranks they wait for (all frozen ones when some wait
     * could end by any rank), so that those run on to their next safe point; the others stay frozen. When they wait
     * only for each other, nothing is released: a message between them is on its way, or they are deadlocked
     * whatever the checkpoint does.
     */
    private void release() {
        stuck = false;
        stuckSince = Long.MIN_VALUE;
        boolean[] needed = new boolean[n];
        boolean any = false;
        for (int r = 0; r < n; r++) {
            if (!frozen[r]) {
                if (waitsOn[r] == null) {
                    any = true;
                } else {
                    for (int p : waitsOn[r]) {
                        if (p >= 0 && p < n) {
                            needed[p] = true;
                        }
                    }
                }
            }
        }
        StringBuilder released = new StringBuilder();
        for (int r = 0; r < n; r++) {
            if (frozen[r] && (any || needed[r])) {
                released.append(released.length() == 0 ? "" : ", ").append(r);
            }
        }
        if (released.length() == 0) {
            return;
        }
        releases++;
        // A rank whose waiters still wait since its last release is far ahead of them or they of it (the first stage
        // of a pipeline): twice as many points each time. One whose waiters froze since keeps in step with them (a
        // chain of neighbours, where running ahead only moves the wave along): as many as last time, not twice.
        long[] waitersFroze = new long[n];
        for (int w = 0; w < n; w++) {
            if (!frozen[w]) {
                for (int r = 0; r < n; r++) {
                    if (frozen[r] && (waitsOn[w] == null || contains(waitsOn[w], r))) {
                        waitersFroze[r] += freezes[w];
                    }
                }
            }
        }
        for (int r = 0; r < n; r++) {
            if (frozen[r] && (any || needed[r])) {
                frozen[r] = false;
                if (waitersFroze[r] != releasedAtFreezes[r]) {
                    releasedTimes[r] = Math.max(0, releasedTimes[r] - 1);
                }
                releasedAtFreezes[r] = waitersFroze[r];
                int points = 1 << Math.min(releasedTimes[r]++, MAX_RELEASE_DOUBLINGS);
                services.send(r, BlockingMessage.encode(new BlockingMessage.Release(id, points)));
            } else if (!frozen[r] && !requested) {
                services.send(r, BlockingMessage.encode(new BlockingMessage.Request(id)));
            }
        }
        requested = true;
        reason = "released rank(s) " + released + " (" + releases + " release(s)): the ranks that have not frozen "
                + "wait for them";
    }

    private static boolean contains(int[] ranks, int rank) {
        for (int x : ranks) {
            if (x == rank) {
                return true;
            }
        }
        return false;
    }

    private void onPrepared(int rank, BlockingMessage.Prepared p) {
        if (state != State.TAKING || p.id() != id) {
            return;
        }
        if (pieces[rank] == null) {
            prepared++;
        }
        pieces[rank] = p.piece();
        blocked[rank] = p.blockedNanos();
        point = p.point();
        if (prepared == n) {
            boolean committed = services.commit(new Manifest(CheckpointId.of(id), n, new ArrayList<>(List.of(pieces))),
                    point, blocked.clone());
            services.broadcast(BlockingMessage.encode(committed ? new BlockingMessage.Committed(id)
                    : new BlockingMessage.Abandon(id, false)));
            transition(State.IDLE, committed ? "checkpoint " + id + " committed" : "checkpoint " + id
                    + " could not be committed");
            lastEnd = Long.MIN_VALUE; // the next interval starts at the next tick
            for (int r = 0; r < n; r++) {
                if (finished[r]) { // under --async a rank runs while its piece is written, and may finish meanwhile
                    transition(State.DONE, "rank " + r + " finished while checkpoint " + id + " was written");
                    services.broadcast(BlockingMessage.encode(new BlockingMessage.Abandon(id, true)));
                    break;
                }
            }
        }
    }

    @Override
    public void onRankFinished(int rank) {
        finished[rank] = true;
        switch (state) {
            case OPEN -> abandon("rank " + rank + " finished before reaching a safe point for it", true);
            case IDLE -> {
                transition(State.DONE, "rank " + rank + " finished");
                services.broadcast(BlockingMessage.encode(new BlockingMessage.Abandon(id, true)));
            }
            case TAKING, DONE -> { } // TAKING: done once the checkpoint commits (a rank finishes only under --async)
        }
    }

    private void abandon(String why, boolean last) {
        services.broadcast(BlockingMessage.encode(new BlockingMessage.Abandon(id, last)));
        services.abandoned(id, why);
        transition(last ? State.DONE : State.IDLE, "checkpoint " + id + " abandoned: " + why);
        lastEnd = Long.MIN_VALUE;
    }

    private String timeoutReason() {
        String frozenRanks = ranks(r -> frozen[r]);
        String waitingRanks = ranks(r -> !frozen[r] && waiting[r]);
        String running = ranks(r -> !frozen[r] && !waiting[r]);
        return "not every rank reached a safe point within the checkpoint timeout ("
                + describe(stallNanos) + "): "
                + (frozenRanks.isEmpty() ? "none had frozen" : "frozen: " + frozenRanks)
                + (running.isEmpty() ? "" : "; running without reaching a safe point: " + running)
                + (waitingRanks.isEmpty() ? "" : "; waiting inside the runtime: " + waitingRanks)
                + " (after " + releases + " release(s)); the job runs on, and a longer --checkpoint-timeout helps "
                + "if ranks are only slow to reach safe points";
    }

    private static String describe(long nanos) {
        long millis = nanos / 1_000_000;
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private String ranks(IntPredicate p) {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < n; r++) {
            if (p.test(r)) {
                b.append(b.length() == 0 ? "" : ", ").append(r);
            }
        }
        return b.toString();
    }
}
