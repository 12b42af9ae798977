package io.snapline.checkpoint.coordinated.nb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One rank's side of the non-blocking coordinated checkpoint protocol.
 *
 * <p>The runtime calls, on this rank:
 * <ul>
 *   <li>{@link #onSend(int)} for every point-to-point send, before it leaves: piggyback {@link #epoch()} and the
 *       returned seq, or complete the send locally without sending if it returns {@link #SUPPRESSED};</li>
 *   <li>{@link #onAccept(int, int, long)} when a message is handed to this rank's mailbox, with its piggyback; a
 *       {@link NbClassification#LATE} message is flagged, and when the program receives it the runtime logs the
 *       payload into the checkpoint and calls {@link #onLateLogged(int, long)};</li>
 *   <li>{@link #atSafePoint()} at every safe point of the program (a capture starts the recording of this rank's
 *       non-deterministic events, {@link NbRankAction.RecordDeterminants}; it ends, {@link
 *       NbRankAction.DeterminantsComplete}, once every peer's promise is in);</li>
 *   <li>{@link #onRequest}, {@link #onPromise}, {@link #onCommitted}, {@link #onAbandoned} when the matching
 *       control message arrives, and {@link #onPieceWritten} when its piece write finished;</li>
 *   <li>{@link #restore(RestartPlan.RankPlan)} once, on a fresh instance, when the job restarts from a
 *       checkpoint.</li>
 * </ul>
 * Actions go to the sink given to the constructor (see {@link NbRankAction} for the sink's contract).
 *
 * <p>Events that the protocol rules out throw {@link IllegalStateException} naming the rank, the state and the
 * event; they mean a bug in the caller or a broken channel (lost, duplicated or reordered messages). Not thread
 * safe: the runtime serialises all calls for one rank (e.g. under its mailbox lock). {@code onSend} and
 * {@code onAccept} allocate nothing.
 */
public final class NbRankProtocol {

    /** Returned by {@link #onSend(int)} when the send re-executes an early message and must not be sent. */
    public static final long SUPPRESSED = -1L;

    private enum Event { ACCEPT, REQUEST, HINT, SAFE_POINT, PROMISE, LATE_LOGGED, PIECE_WRITTEN, COMMITTED,
        ABANDONED, RESTORE }

    private static final boolean[][] ALLOWED = allowedTransitions();

    private final int rank;
    private final int ranks;
    private final Consumer<? super NbRankAction> actions;
    private final long[] sent;
    private final long[] accepted;
    private final long[] suppressUpTo;
    /** For the checkpoint {@link #open}: accept counters when taken, promises (-1 unknown), late bookkeeping. */
    private final long[] acceptedAtCheckpoint;
    private final long[] promised;
    private final long[] lateLogged;
    private final long[] lastLateSeq;
    private final BitSet[] loggedSeqs;
    private int unsatisfied;
    /** Peers whose promise for the checkpoint {@link #open} has not come yet (while {@link #recording}). */
    private int promisesMissing;
    /** Whether this rank records its non-deterministic events (from its capture until every promise is in). */
    private boolean recording;
    /** The send counters when every rank had taken the checkpoint (when {@link #recording} ended). */
    private final long[] sentWhenAllTook;
    private NbCapture capture;
    /**
     * Sends this restarted rank has still to re-execute that peers already hold ({@link #SUPPRESSED}). No checkpoint
     * is taken before they are done: a peer's piece would hold such a message while this rank's did not send it yet,
     * and every peer could take the checkpoint before this rank made again the choices that shape the message, so
     * that no recorded log holds them; restarted from that checkpoint, the rank would choose freely and re-send
     * (suppressed) another message than the one its peer holds.
     */
    private long resendsLeft;
    /** The checkpoint this rank last told the coordinator it defers ({@link NbRankAction.Deferred}), 0 for none. */
    private int deferredReported;

    private NbRankState state = NbRankState.RUNNING;
    private int epoch;
    private int open;
    private int lastCommitted;
    private int abandoned;
    private boolean used;

    /**
     * A rank at the start of a fresh job (epoch 0).
     *
     * @param rank this rank, {@code 0 <= rank < ranks}
     * @param ranks the number of ranks in the job
     * @param actions where actions go; see {@link NbRankAction}
     */
    public NbRankProtocol(int rank, int ranks, Consumer<? super NbRankAction> actions) {
        if (ranks < 1 || rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " is outside a job of " + ranks + " ranks");
        }
        this.rank = rank;
        this.ranks = ranks;
        this.actions = actions;
        sent = new long[ranks];
        accepted = new long[ranks];
        suppressUpTo = new long[ranks];
        acceptedAtCheckpoint = new long[ranks];
        promised = new long[ranks];
        lateLogged = new long[ranks];
        lastLateSeq = new long[ranks];
        loggedSeqs = new BitSet[ranks];
        sentWhenAllTook = new long[ranks];
    }

    // ---- per-message paths -------------------------------------------------------------------------------------

    /**
     * A send to {@code dest} is about to leave.
     *
     * @return the seq to piggyback together with {@link #epoch()}, or {@link #SUPPRESSED} if this send re-executes
     *     a message {@code dest} already has (after a restart): complete it locally without sending
     */
    public long onSend(int dest) {
        checkRank(dest, "onSend");
        used = true;
        long seq = ++sent[dest];
        if (seq <= suppressUpTo[dest]) {
            resendsLeft--;
            return SUPPRESSED;
        }
        return seq;
    }

    /**
     * A message from {@code from} with piggyback ({@code msgEpoch}, {@code seq}) was accepted into this rank's
     * mailbox. An {@link NbClassification#EARLY} message also tells this rank that checkpoint {@code msgEpoch} is
     * open: it takes it at its next safe point.
     *
     * @throws IllegalStateException if seq is not the next one on the channel (lost, duplicated or reordered
     *     message, e.g. a re-send that should have been suppressed) or the epoch is impossible in this state
     */
    public NbClassification onAccept(int from, int msgEpoch, long seq) {
        checkRank(from, "onAccept");
        if (seq != accepted[from] + 1) {
            throw new IllegalStateException("rank " + rank + " accepted seq " + seq + " from rank " + from
                    + " but expected seq " + (accepted[from] + 1) + ": the channel lost, duplicated or reordered a"
                    + " message (a re-executed send that should have been suppressed?)");
        }
        NbClassification c = classify(from, msgEpoch, seq);
        accepted[from] = seq;
        used = true;
        return c;
    }

    private NbClassification classify(int from, int msgEpoch, long seq) {
        if (msgEpoch == epoch) {
            return NbClassification.NORMAL;
        }
        if (msgEpoch == epoch + 1) {
            if (msgEpoch <= abandoned) {
                return NbClassification.NORMAL;
            }
            switch (state) {
                case RUNNING -> learn(msgEpoch, Event.HINT);
                case PREPARED -> {
                    implicitCommit();
                    learn(msgEpoch, Event.HINT);
                }
                case CHECKPOINT_REQUESTED -> { }
                default -> throw violation(Event.ACCEPT, from, msgEpoch, seq, "checkpoint " + msgEpoch
                        + " cannot be open before checkpoint " + epoch + " committed");
            }
            return NbClassification.EARLY;
        }
        if (msgEpoch == epoch - 1) {
            if (epoch <= abandoned) {
                return NbClassification.NORMAL;
            }
            if (state == NbRankState.LOGGING) {
                if (promised[from] >= 0 && seq > promised[from]) {
                    throw violation(Event.ACCEPT, from, msgEpoch, seq, "rank " + from + " promised only "
                            + promised[from] + " messages before checkpoint " + epoch);
                }
                lastLateSeq[from] = seq;
                return NbClassification.LATE;
            }
            throw violation(Event.ACCEPT, from, msgEpoch, seq, "a late message for checkpoint " + epoch
                    + " arrived after that checkpoint completed");
        }
        throw violation(Event.ACCEPT, from, msgEpoch, seq, "epochs differ by more than one, which cannot happen"
                + " while only one checkpoint is open");
    }

    private IllegalStateException violation(Event event, int from, int msgEpoch, long seq, String why) {
        return illegal(event, "message seq " + seq + " from rank " + from + " with epoch " + msgEpoch + ": " + why);
    }

    // ---- checkpoint events -------------------------------------------------------------------------------------

    /** The coordinator's {@code Request(e)} arrived. A request for a checkpoint already taken on a hint is a no-op. */
    public void onRequest(int e) {
        if (e <= abandoned || e <= lastCommitted) {
            throw illegal(Event.REQUEST, "checkpoint " + e + " was already " + (e <= lastCommitted ? "committed"
                    : "abandoned"));
        }
        switch (state) {
            case RUNNING -> {
                requireEpoch(e, epoch + 1, Event.REQUEST);
                learn(e, Event.REQUEST);
            }
            case CHECKPOINT_REQUESTED -> requireEpoch(e, open, Event.REQUEST);
            case LOGGING, WRITING -> requireEpoch(e, epoch, Event.REQUEST);
            case PREPARED -> {
                if (e != epoch) {
                    requireEpoch(e, epoch + 1, Event.REQUEST);
                    implicitCommit();
                    learn(e, Event.REQUEST);
                }
            }
        }
    }

    /**
     * A safe point of the program. If a checkpoint is open and not yet taken here, takes it, unless this restarted
     * rank has still to re-send messages its peers hold (then a later safe point takes it): queues
     * {@link NbRankAction.Taken} and a {@link NbRankAction.Promise} per peer (and {@link NbRankAction.WritePiece}
     * if the checkpoint is already complete) and returns what the runtime must capture before acting on them.
     *
     * @return the capture, or empty if this safe point takes no checkpoint (the common case, allocation-free)
     */
    public Optional<NbCapture> atSafePoint() {
        if (state != NbRankState.CHECKPOINT_REQUESTED) {
            return Optional.empty();
        }
        if (resendsLeft > 0) {
            if (deferredReported != open) {
                deferredReported = open;
                actions.accept(new NbRankAction.Deferred(open, resendsLeft));
            }
            return Optional.empty();
        }
        epoch = open;
        System.arraycopy(accepted, 0, acceptedAtCheckpoint, 0, ranks);
        capture = new NbCapture(epoch, sent, accepted);
        moveTo(NbRankState.LOGGING, Event.SAFE_POINT);
        promised[rank] = sent[rank];
        unsatisfied = 0;
        for (int i = 0; i < ranks; i++) {
            if (!satisfied(i)) {
                unsatisfied++;
            }
        }
        actions.accept(new NbRankAction.Taken(epoch));
        actions.accept(new NbRankAction.RecordDeterminants(epoch));
        recording = true;
        promisesMissing = 0;
        for (int j = 0; j < ranks; j++) {
            if (j != rank) {
                actions.accept(new NbRankAction.Promise(j, epoch, sent[j]));
                promisesMissing += promised[j] < 0 ? 1 : 0;
            }
        }
        NbCapture result = capture;
        endRecordingIfAllTook();
        completeIfDone();
        return Optional.of(result);
    }

    /**
     * Rank {@code from} promised it sent exactly {@code sentUpTo} messages to this rank before taking checkpoint
     * {@code e}. Also tells this rank that checkpoint {@code e} is open. Promises for abandoned checkpoints are
     * ignored.
     */
    public void onPromise(int from, int e, long sentUpTo) {
        checkRank(from, "onPromise");
        if (from == rank || sentUpTo < 0) {
            throw new IllegalArgumentException("rank " + rank + " got a promise from rank " + from + " of "
                    + sentUpTo + " messages; promises come from other ranks and count at least 0 messages");
        }
        if (e <= abandoned) {
            return;
        }
        switch (state) {
            case RUNNING -> {
                requireEpoch(e, epoch + 1, Event.PROMISE);
                learn(e, Event.HINT);
            }
            case CHECKPOINT_REQUESTED -> requireEpoch(e, open, Event.PROMISE);
            case LOGGING -> requireEpoch(e, epoch, Event.PROMISE);
            case PREPARED -> {
                requireEpoch(e, epoch + 1, Event.PROMISE);
                implicitCommit();
                learn(e, Event.HINT);
            }
            case WRITING -> throw illegal(Event.PROMISE, "promise of rank " + from + " for checkpoint " + e
                    + " after every promise was in");
        }
        if (promised[from] >= 0) {
            throw illegal(Event.PROMISE, "second promise of rank " + from + " for checkpoint " + e);
        }
        if (state == NbRankState.LOGGING && lastLateSeq[from] > sentUpTo) {
            throw illegal(Event.PROMISE, "rank " + from + " promised " + sentUpTo + " messages before checkpoint "
                    + e + " but its message seq " + lastLateSeq[from] + " was already accepted as late");
        }
        promised[from] = sentUpTo;
        if (state == NbRankState.LOGGING) {
            promisesMissing--;
            endRecordingIfAllTook();
        }
        if (state == NbRankState.LOGGING && satisfied(from)) {
            unsatisfied--;
            completeIfDone();
        }
    }

    /**
     * The program received the late message {@code seq} from {@code from} and the runtime logged its payload into
     * the open checkpoint. Ignored if that checkpoint was abandoned meanwhile.
     */
    public void onLateLogged(int from, long seq) {
        checkRank(from, "onLateLogged");
        if (state != NbRankState.LOGGING) {
            if (state == NbRankState.RUNNING && epoch <= abandoned) {
                return;
            }
            throw illegal(Event.LATE_LOGGED, "message seq " + seq + " from rank " + from + " is not late for an"
                    + " open checkpoint");
        }
        long offset = seq - acceptedAtCheckpoint[from];
        if (offset < 1 || seq > lastLateSeq[from]) {
            throw illegal(Event.LATE_LOGGED, "message seq " + seq + " from rank " + from + " was not accepted as"
                    + " late (late seqs so far " + (acceptedAtCheckpoint[from] + 1) + ".." + lastLateSeq[from] + ")");
        }
        BitSet logged = loggedSeqs[from];
        if (logged == null) {
            logged = new BitSet();
            loggedSeqs[from] = logged;
        }
        int bit = Math.toIntExact(offset - 1);
        if (logged.get(bit)) {
            throw illegal(Event.LATE_LOGGED, "message seq " + seq + " from rank " + from + " was logged twice");
        }
        logged.set(bit);
        lateLogged[from]++;
        if (promised[from] >= 0 && satisfied(from)) {
            unsatisfied--;
            completeIfDone();
        }
    }

    /**
     * The runtime finished writing this rank's piece of checkpoint {@code e}; queues {@code Prepared}. Ignored if
     * the checkpoint was abandoned while the piece was being written.
     */
    public void onPieceWritten(int e, long bytes) {
        if (state == NbRankState.RUNNING && e == abandoned && e == epoch) {
            return;
        }
        if (state != NbRankState.WRITING || e != epoch) {
            throw illegal(Event.PIECE_WRITTEN, "no piece of checkpoint " + e + " is being written");
        }
        moveTo(NbRankState.PREPARED, Event.PIECE_WRITTEN);
        actions.accept(new NbRankAction.Prepared(e, bytes));
    }

    /** The coordinator committed checkpoint {@code e}. A repeat of a commit already inferred from a hint is a no-op. */
    public void onCommitted(int e) {
        if (state == NbRankState.PREPARED && e == epoch) {
            lastCommitted = e;
            moveTo(NbRankState.RUNNING, Event.COMMITTED);
        } else if (e > lastCommitted) {
            throw illegal(Event.COMMITTED, "checkpoint " + e + " was not prepared here");
        }
    }

    /**
     * The coordinator abandoned checkpoint {@code e}. The rank stops working on it; its epoch stays as it is (the
     * coordinator requests no further checkpoint in this run, see {@link NbCoordinatorState#CLOSED}).
     */
    public void onAbandoned(int e) {
        boolean working = state != NbRankState.RUNNING && e == open;
        boolean unheardOf = state == NbRankState.RUNNING && e == epoch + 1;
        if (e <= lastCommitted || !(working || unheardOf)) {
            throw illegal(Event.ABANDONED, "checkpoint " + e + " is not the open one");
        }
        abandoned = e;
        capture = null;
        if (recording) {
            recording = false;
            actions.accept(new NbRankAction.DropDeterminants(e));
        }
        if (working) {
            moveTo(NbRankState.RUNNING, Event.ABANDONED);
        }
    }

    /**
     * Restores the counters of a restarted rank; call once, on a fresh instance, before any other event. The
     * runtime re-injects {@code plan.reinject()} into the mailbox itself (they count as accepted already).
     */
    public void restore(RestartPlan.RankPlan plan) {
        if (used || epoch != 0 || state != NbRankState.RUNNING || abandoned != 0) {
            throw illegal(Event.RESTORE, "restore needs a fresh instance");
        }
        if (plan.rank() != rank || plan.ranks() != ranks) {
            throw new IllegalArgumentException("plan of rank " + plan.rank() + " in a job of " + plan.ranks()
                    + " ranks does not fit rank " + rank + " of " + ranks);
        }
        System.arraycopy(plan.sentUpTo(), 0, sent, 0, ranks);
        System.arraycopy(plan.acceptedUpTo(), 0, accepted, 0, ranks);
        System.arraycopy(plan.suppressUpTo(), 0, suppressUpTo, 0, ranks);
        resendsLeft = 0;
        for (int i = 0; i < ranks; i++) {
            resendsLeft += Math.max(0, suppressUpTo[i] - sent[i]);
        }
        epoch = plan.epoch();
        lastCommitted = plan.epoch();
        used = true;
    }

    // ---- queries -----------------------------------------------------------------------------------------------

    /** This rank. */
    public int rank() {
        return rank;
    }

    /** The number of checkpoints this rank has taken (piggybacked on every send). */
    public int epoch() {
        return epoch;
    }

    /** The current state. */
    public NbRankState state() {
        return state;
    }

    /**
     * Whether this rank records its non-deterministic events now (from its capture until every peer's promise is in):
     * a send made now may be early for its receiver.
     */
    public boolean recording() {
        return recording;
    }

    /** Whether this restarted rank has still to re-send messages its peers hold (no checkpoint is taken before). */
    public boolean resending() {
        return resendsLeft > 0;
    }

    /** The number of the last message sent (or suppressed) to {@code dest}. */
    public long sentTo(int dest) {
        checkRank(dest, "sentTo");
        return sent[dest];
    }

    /** The last checkpoint this rank knows to be committed (0 if none). */
    public int lastCommitted() {
        return lastCommitted;
    }

    /**
     * What this rank is waiting for, for logs and timeout reports, e.g. "rank 2 is still waiting for late messages
     * from rank 0 (has 3 of 5)".
     */
    public String waitDescription() {
        return switch (state) {
            case RUNNING -> "rank " + rank + " has no checkpoint open";
            case CHECKPOINT_REQUESTED -> resendsLeft > 0 ? "rank " + rank + " takes checkpoint " + open
                    + " once it has re-sent the " + resendsLeft + " message(s) its peers already hold since the restart"
                    : "rank " + rank + " has not reached a safe point since checkpoint " + open + " was requested";
            case LOGGING -> loggingDescription();
            case WRITING -> "rank " + rank + " is writing its piece of checkpoint " + epoch;
            case PREPARED -> "rank " + rank + " prepared checkpoint " + epoch + " and waits for the commit";
        };
    }

    private String loggingDescription() {
        List<String> parts = new ArrayList<>();
        List<Integer> noPromise = new ArrayList<>();
        for (int i = 0; i < ranks; i++) {
            if (promised[i] < 0) {
                noPromise.add(i);
            } else if (!satisfied(i)) {
                parts.add("rank " + rank + " is still waiting for late messages from rank " + i + " (has "
                        + lateLogged[i] + " of " + (promised[i] - acceptedAtCheckpoint[i]) + ")");
            }
        }
        if (!noPromise.isEmpty()) {
            parts.add(0, "rank " + rank + " is still waiting for the promise of " + NbCoordinatorProtocol.ranksText(
                    noPromise) + " for checkpoint " + epoch);
        }
        return String.join("; ", parts);
    }

    @Override
    public String toString() {
        return "NbRankProtocol[rank=" + rank + ", state=" + state + ", epoch=" + epoch + ", sent="
                + Arrays.toString(sent) + ", accepted=" + Arrays.toString(accepted) + "]";
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private boolean satisfied(int i) {
        return promised[i] >= 0 && lateLogged[i] == Math.max(0, promised[i] - acceptedAtCheckpoint[i]);
    }

    /**
     * Ends the recording of non-deterministic events once every peer has taken the checkpoint: a message this rank
     * sends from now on reaches every peer after its checkpoint, so it cannot be early, and neither can any message
     * that follows from it (see the package documentation).
     */
    private void endRecordingIfAllTook() {
        if (recording && promisesMissing == 0) {
            recording = false;
            System.arraycopy(sent, 0, sentWhenAllTook, 0, ranks);
            actions.accept(new NbRankAction.DeterminantsComplete(epoch));
        }
    }

    private void learn(int e, Event event) {
        open = e;
        Arrays.fill(promised, -1);
        Arrays.fill(lateLogged, 0);
        Arrays.fill(lastLateSeq, 0);
        Arrays.fill(loggedSeqs, null);
        moveTo(NbRankState.CHECKPOINT_REQUESTED, event);
    }

    private void implicitCommit() {
        // Checkpoint epoch + 1 is only requested after checkpoint epoch committed.
        lastCommitted = epoch;
        moveTo(NbRankState.RUNNING, Event.COMMITTED);
    }

    private void completeIfDone() {
        if (state != NbRankState.LOGGING || unsatisfied > 0) {
            return;
        }
        List<NbCheckpointRecord.Late> late = new ArrayList<>();
        for (int i = 0; i < ranks; i++) {
            for (long s = acceptedAtCheckpoint[i] + 1; s <= promised[i]; s++) {
                late.add(new NbCheckpointRecord.Late(i, s));
            }
        }
        NbCheckpointRecord record = new NbCheckpointRecord(rank, epoch, capture.sentUpTo(), capture.acceptedUpTo(),
                sentWhenAllTook, late);
        moveTo(NbRankState.WRITING, Event.LATE_LOGGED);
        actions.accept(new NbRankAction.WritePiece(record));
    }

    private void requireEpoch(int e, int expected, Event event) {
        if (e != expected) {
            throw illegal(event, "expected checkpoint " + expected + " but got " + e);
        }
    }

    private void checkRank(int r, String what) {
        if (r < 0 || r >= ranks) {
            throw new IllegalArgumentException(what + ": rank " + r + " is outside 0.." + (ranks - 1));
        }
    }

    private void moveTo(NbRankState next, Event event) {
        if (!ALLOWED[state.ordinal()][next.ordinal()]) {
            throw illegal(event, "no transition to " + next);
        }
        state = next;
    }

    private IllegalStateException illegal(Event event, String detail) {
        return new IllegalStateException("rank " + rank + " in state " + state + " (epoch " + epoch
                + ") cannot handle " + event + ": " + detail);
    }

    private static boolean[][] allowedTransitions() {
        int n = NbRankState.values().length;
        boolean[][] allowed = new boolean[n][n];
        allow(allowed, NbRankState.RUNNING, NbRankState.CHECKPOINT_REQUESTED);
        allow(allowed, NbRankState.CHECKPOINT_REQUESTED, NbRankState.LOGGING, NbRankState.RUNNING);
        allow(allowed, NbRankState.LOGGING, NbRankState.WRITING, NbRankState.RUNNING);
        allow(allowed, NbRankState.WRITING, NbRankState.PREPARED, NbRankState.RUNNING);
        allow(allowed, NbRankState.PREPARED, NbRankState.RUNNING);
        return allowed;
    }

    private static void allow(boolean[][] allowed, NbRankState from, NbRankState... to) {
        for (NbRankState t : to) {
            allowed[from.ordinal()][t.ordinal()] = true;
        }
    }
}
