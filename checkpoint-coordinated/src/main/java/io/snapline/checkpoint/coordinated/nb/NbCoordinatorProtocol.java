package io.snapline.checkpoint.coordinated.nb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The coordinator of the non-blocking coordinated checkpoint protocol: requests checkpoint {@code e} (= last
 * committed + 1) when {@code intervalNanos} have passed since the last commit (or since it was created), commits it
 * in two phases once every rank reported {@code Prepared(e)} (manifest first, then {@code Committed(e)} to all), and
 * abandons it if a rank fails or finishes before preparing, or after {@code timeoutNanos} without every
 * {@code Prepared}. The timeout does not run while a restarted rank defers its capture until it has re-sent what its
 * peers already hold ({@link #onDeferred}): re-executing up to there may take longer than any timeout, and is no
 * stall; it counts from that rank's capture on. Only one checkpoint is open at a time. After an abandoned checkpoint, a failure or a finished
 * rank, it requests no more checkpoints ({@link NbCoordinatorState#CLOSED}); a restarted job gets a new
 * coordinator.
 *
 * <p>Time is an argument ({@code nowNanos}, any monotonic origin). Actions go to the sink (see
 * {@link NbCoordinatorAction}). Events the protocol rules out throw {@link IllegalStateException} naming the state
 * and the event; reports that arrive after the checkpoint was abandoned are ignored. Not thread safe.
 */
public final class NbCoordinatorProtocol {

    private enum Phase { WAITING, TAKEN, PREPARED }

    private final int ranks;
    private long intervalNanos;
    private final long timeoutNanos;
    private final Consumer<? super NbCoordinatorAction> actions;
    private final Phase[] phase;
    private final long[] pieceBytes;
    private final boolean[] finished;
    /** Ranks that defer their capture of the open checkpoint until their re-sends are done. */
    private final boolean[] deferring;
    private int deferringCount;
    private NbCoordinatorState state = NbCoordinatorState.IDLE;
    private int lastCommitted;
    private long lastCommitNanos;
    private int open;
    private long requestedNanos;
    private int preparedCount;
    private boolean commitInFlight;
    private String closedReason = "";

    /**
     * @param ranks the number of ranks
     * @param intervalNanos time from a commit (or from {@code nowNanos}) to the next request, positive
     * @param timeoutNanos time a checkpoint may stay open before it is abandoned, positive
     * @param nowNanos the current time
     * @param lastCommitted the checkpoint the job (re)started from, 0 for a fresh job
     * @param actions where actions go
     */
    public NbCoordinatorProtocol(int ranks, long intervalNanos, long timeoutNanos, long nowNanos, int lastCommitted,
                                 Consumer<? super NbCoordinatorAction> actions) {
        if (ranks < 1 || intervalNanos <= 0 || timeoutNanos <= 0 || lastCommitted < 0) {
            throw new IllegalArgumentException("coordinator needs at least one rank, a positive interval and timeout"
                    + " and a last committed checkpoint >= 0; got ranks=" + ranks + ", interval=" + intervalNanos
                    + " ns, timeout=" + timeoutNanos + " ns, lastCommitted=" + lastCommitted);
        }
        this.ranks = ranks;
        this.intervalNanos = intervalNanos;
        this.timeoutNanos = timeoutNanos;
        this.actions = actions;
        this.lastCommitted = lastCommitted;
        this.lastCommitNanos = nowNanos;
        phase = new Phase[ranks];
        pieceBytes = new long[ranks];
        finished = new boolean[ranks];
        deferring = new boolean[ranks];
    }

    /**
     * From now on, the next request comes {@code nanos} after the last commit (or after this protocol was created):
     * the interval {@code --interval auto} chose.
     */
    public void intervalNanos(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("the checkpoint interval must be positive, got " + nanos + " ns");
        }
        intervalNanos = nanos;
    }

    /** Requests the next checkpoint when due, abandons the open one when it timed out. */
    public void onTick(long nowNanos) {
        if (state == NbCoordinatorState.IDLE && nowNanos - lastCommitNanos >= intervalNanos) {
            open = lastCommitted + 1;
            requestedNanos = nowNanos;
            Arrays.fill(phase, Phase.WAITING);
            Arrays.fill(pieceBytes, 0);
            Arrays.fill(deferring, false);
            deferringCount = 0;
            preparedCount = 0;
            state = NbCoordinatorState.REQUESTED;
            actions.accept(new NbCoordinatorAction.Request(open));
        } else if (state == NbCoordinatorState.REQUESTED && deferringCount == 0
                && nowNanos - requestedNanos >= timeoutNanos) {
            abandon("checkpoint " + open + " abandoned after " + duration(nowNanos - requestedNanos) + ": "
                    + laggards());
        }
    }

    /**
     * Rank {@code rank} took checkpoint {@code e} at {@code nowNanos} (progress, named in timeout reasons). A rank that
     * had deferred its capture no longer does; once none does, the timeout counts from now.
     */
    public void onTaken(int rank, int e, long nowNanos) {
        checkRank(rank);
        if (state == NbCoordinatorState.CLOSED) {
            return;
        }
        requireOpen(e, "TAKEN(" + rank + ", " + e + ")");
        if (phase[rank] == Phase.WAITING) {
            phase[rank] = Phase.TAKEN;
        }
        if (deferring[rank]) {
            deferring[rank] = false;
            if (--deferringCount == 0) {
                requestedNanos = Math.max(requestedNanos, nowNanos);
            }
        }
    }

    /**
     * Restarted rank {@code rank} defers its capture of checkpoint {@code e} until it has re-sent the messages its
     * peers already hold: the timeout of {@code e} waits until it takes it. Ignored unless {@code e} is open and not
     * yet taken by the rank (a report that crossed an abandonment or a capture).
     *
     * @return whether the report was news (the rank was not known to defer {@code e} yet)
     */
    public boolean onDeferred(int rank, int e) {
        checkRank(rank);
        if (state != NbCoordinatorState.REQUESTED || e != open || phase[rank] != Phase.WAITING || deferring[rank]) {
            return false;
        }
        deferring[rank] = true;
        deferringCount++;
        return true;
    }

    /** Rank {@code rank} wrote its piece of checkpoint {@code e} ({@code bytes} long). */
    public void onPrepared(int rank, int e, long bytes) {
        checkRank(rank);
        if (state == NbCoordinatorState.CLOSED) {
            return;
        }
        String event = "PREPARED(" + rank + ", " + e + ")";
        requireOpen(e, event);
        if (phase[rank] == Phase.PREPARED) {
            throw illegal(event, "rank " + rank + " already reported Prepared(" + e + ")");
        }
        phase[rank] = Phase.PREPARED;
        pieceBytes[rank] = bytes;
        if (++preparedCount == ranks) {
            state = NbCoordinatorState.COMMITTING;
            commitInFlight = true;
            List<Long> bytesList = new ArrayList<>(ranks);
            for (long b : pieceBytes) {
                bytesList.add(b);
            }
            actions.accept(new NbCoordinatorAction.CommitManifest(open, bytesList));
        }
    }

    /** The manifest of checkpoint {@code e} is durable: broadcasts {@code Committed(e)}. */
    public void onManifestCommitted(int e, long nowNanos) {
        if (state == NbCoordinatorState.CLOSED && commitInFlight && e == open) {
            lastCommitted = e; // a rank failed during the write: the job restarts, no broadcast
            commitInFlight = false;
            return;
        }
        if (state != NbCoordinatorState.COMMITTING || e != open) {
            throw illegal("MANIFEST_COMMITTED(" + e + ")", "no manifest of checkpoint " + e + " is being written");
        }
        lastCommitted = e;
        lastCommitNanos = nowNanos;
        commitInFlight = false;
        actions.accept(new NbCoordinatorAction.Committed(e));
        state = NbCoordinatorState.IDLE;
        for (int r = 0; r < ranks; r++) {
            if (finished[r]) {
                close("rank " + r + " finished; checkpoint " + e + " is the last one of this run");
            }
        }
    }

    /**
     * Rank {@code rank} finished its program. It will reach no more safe points: the open checkpoint is abandoned
     * unless the rank already prepared it, and no further checkpoint is requested.
     */
    public void onRankFinished(int rank) {
        checkRank(rank);
        finished[rank] = true;
        switch (state) {
            case IDLE -> close("rank " + rank + " finished; no further checkpoint can complete");
            case REQUESTED -> {
                if (phase[rank] != Phase.PREPARED) {
                    abandon("checkpoint " + open + " abandoned: rank " + rank + " finished before "
                            + (phase[rank] == Phase.WAITING ? "reaching a safe point" : "preparing its piece"));
                }
            }
            case COMMITTING, CLOSED -> { }
        }
    }

    /**
     * Rank {@code rank} failed: the open checkpoint is abandoned; the job restarts from {@link #lastCommitted()}
     * with a new coordinator. During {@link NbCoordinatorState#COMMITTING} nothing is abandoned: whether the
     * manifest write landed decides (the store's latest committed manifest is the recovery point); its
     * {@link #onManifestCommitted} still updates {@link #lastCommitted()} but broadcasts nothing.
     */
    public void onRankFailed(int rank) {
        checkRank(rank);
        if (state == NbCoordinatorState.REQUESTED) {
            abandon("checkpoint " + open + " abandoned: rank " + rank + " failed; recovery uses "
                    + (lastCommitted == 0 ? "a fresh start" : "checkpoint " + lastCommitted));
        } else {
            close("rank " + rank + " failed");
        }
    }

    /** The current state. */
    public NbCoordinatorState state() {
        return state;
    }

    /** The last committed checkpoint (0 if none). */
    public int lastCommitted() {
        return lastCommitted;
    }

    /** The open checkpoint in {@code REQUESTED}/{@code COMMITTING}, otherwise the last one opened (0 if none). */
    public int openCheckpoint() {
        return open;
    }

    /** Why the coordinator closed, empty while it is not {@link NbCoordinatorState#CLOSED}. */
    public String closedReason() {
        return closedReason;
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private void abandon(String reason) {
        int e = open;
        close(reason);
        actions.accept(new NbCoordinatorAction.Abandoned(e, reason));
    }

    private void close(String reason) {
        if (state != NbCoordinatorState.CLOSED) {
            state = NbCoordinatorState.CLOSED;
            closedReason = reason;
        }
    }

    private String laggards() {
        List<Integer> notTaken = new ArrayList<>();
        List<Integer> notPrepared = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (phase[r] == Phase.WAITING) {
                notTaken.add(r);
            } else if (phase[r] == Phase.TAKEN) {
                notPrepared.add(r);
            }
        }
        List<String> parts = new ArrayList<>();
        if (!notTaken.isEmpty()) {
            parts.add(ranksText(notTaken) + " never reached a safe point");
        }
        if (!notPrepared.isEmpty()) {
            parts.add(ranksText(notPrepared) + (notPrepared.size() == 1 ? " took it but has" : " took it but have")
                    + " not prepared (still waiting for promises, late messages or the piece write)");
        }
        return String.join("; ", parts);
    }

    /** "rank 3" or "ranks 1, 2". */
    static String ranksText(List<Integer> ranks) {
        StringBuilder sb = new StringBuilder(ranks.size() == 1 ? "rank " : "ranks ");
        for (int k = 0; k < ranks.size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(ranks.get(k));
        }
        return sb.toString();
    }

    static String duration(long nanos) {
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + " s";
        }
        if (nanos >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
        }
        return nanos / 1_000_000L + " ms";
    }

    private void requireOpen(int e, String event) {
        if (state != NbCoordinatorState.REQUESTED || e != open) {
            throw illegal(event, "checkpoint " + e + " is not open");
        }
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " is outside 0.." + (ranks - 1));
        }
    }

    private IllegalStateException illegal(String event, String detail) {
        return new IllegalStateException("coordinator in state " + state + (state == NbCoordinatorState.IDLE
                ? "" : " (checkpoint " + open + ")") + " cannot handle " + event + ": " + detail);
    }
}
