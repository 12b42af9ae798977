package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * What the runtime offers a rank's policy. Methods other than {@link #wake()} must be called on the program's
 * thread, from {@link RankPolicy#atPoint}.
 */
public interface RankServices {
    int rank();

    int size();

    PolicySettings settings();

    /** How many ranks of the job share this rank's process and heap (all of them on {@code shm}, one on {@code tcp}). */
    default int ranksInThisProcess() {
        return 1;
    }

    /** The id of the checkpoint this rank was restored from, or 0 when it started fresh. */
    long restoredId();

    /**
     * The id this attempt's first global checkpoint takes: above the checkpoint restored and above every checkpoint
     * committed in the store, damaged ones included, so that after a fallback past a damaged checkpoint K the next one
     * does not collide with K. The coordinator's {@link CoordinatorServices#nextId()} starts at the same id. Policies
     * whose ranks number checkpoints themselves start there; ids need not follow the restored one.
     */
    default long firstCheckpointId() {
        return restoredId() + 1;
    }

    /** Sends {@code message} to this attempt's {@link PolicyCoordinator}. Any thread. */
    void toCoordinator(byte[] message);

    /**
     * Flushes every channel into this rank: sends a marker to every other rank and waits for theirs. Because
     * channels are FIFO, afterwards every message another rank sent before its marker is in this rank's mailbox.
     * All ranks must call it for the same {@code id} and {@code round} (0 or 1: a checkpoint flushes once to gather
     * in-transit messages and once more so that no rank resumes sending before every rank has captured). While
     * waiting this rank is shown as blocked in the checkpoint, so a rank that never arrives is reported, not hung on.
     */
    void flushChannels(CheckpointId id, int round);

    /**
     * Captures this rank's image: the program's registered state (encoded now, so the program may change it as soon
     * as this returns) plus the communication state (messages delivered to the runtime but not yet received by the
     * program — payloads still held by their senders are fetched first — communicator contexts, the attached
     * buffer's size). Encode it with {@link RankImage#encode()}, after adding the policy's own data if any.
     *
     * <p>{@code cut} says how the checkpoint's id is decided and what counts as received:
     * <ul>
     *   <li>{@link Cut#at}: the id is fixed.</li>
     *   <li>{@link Cut#decidedBy}: the id is decided by the supplier at the instant the unreceived messages are taken,
     *       under the same lock that guards accepting messages (and calling a {@link TrafficHook}): what the policy
     *       records about accepted messages then matches the saved ones exactly. The supplier must not block; when it
     *       returns null nothing is captured and null is returned.</li>
     *   <li>{@link Cut#leavingUnreceived()}: what counts as received is what the program has received: messages
     *       accepted but not yet received stay in the mailbox, are not saved in the image, and their receipt is
     *       recorded in the interval that begins (where the program will receive them). For policies that restart
     *       from lines over such images only: a restart from a line where their senders have not sent them yet gets
     *       them again by re-execution, and a line where they were sent but not received is not strongly
     *       consistent.</li>
     * </ul>
     *
     * @return the image, or null when a {@linkplain Cut#decidedBy deciding} supplier returned null
     * @throws io.snapline.checkpoint.CheckpointException if the program holds receives that have not completed,
     *     or its state cannot be encoded
     */
    RankImage capture(long point, Cut cut);

    /**
     * Exchanges one number with every rank: sends {@code toEach[j]} to rank j and returns what each rank sent this
     * one (the own entry is copied). All ranks must call it with the same {@code round} (0..15); it travels as checkpoint
     * traffic, so it is neither numbered nor seen by a {@link TrafficHook}.
     */
    long[] exchange(long[] toEach, int round);

    /**
     * Whether one of this rank's operations has failed because another rank had failed: from then on its state may
     * depend on the failure (the program may have caught the exception), so it must not be checkpointed as a state
     * of the failure-free execution.
     */
    boolean sawPeerFailure();

    /**
     * This rank's determinant recorder: records the outcomes of its non-deterministic operations (which message a
     * wildcard receive matched, what tests and probes found) and replays them when the rank re-executes. Off until
     * the policy asks it to record or replay. Any thread.
     */
    io.snapline.runtime.determinant.Determinants determinants();

    /**
     * Sends {@code message}, which this rank sent before and kept in its message log, again to world rank
     * {@code dest}, stamped {@code epoch} and numbered {@code seq} on its channel: it travels past the
     * {@link TrafficHook} (the receiver's hook sees it as it saw the original). Any thread; the policy keeps it in
     * order with what the program sends to {@code dest}.
     */
    void resend(int dest, SavedMessage message, int epoch, long seq);

    /**
     * Sends {@code datum} (at most 16 KiB) to world rank {@code dest}'s policy, in channel order with the messages
     * this rank sends there: the receiver's {@link TrafficHook#onDatum} gets it as it arrives, before it accepts any
     * message sent after it (causal logging piggybacks determinants this way). Neither numbered nor seen by the
     * receiver's {@link TrafficHook#onAccept}; it never waits for the receiver. Any thread.
     */
    default void sendDatum(int dest, byte[] datum) {
        throw new UnsupportedOperationException("this runtime cannot send a policy's datum");
    }

    /**
     * 0 for a rank started with its attempt; n for the n-th incarnation of a rank that failed and was restarted alone
     * while the others ran on ({@link CheckpointPolicy#restartsRanksAlone}). Such a rank does not take part in
     * anything collective at its start ({@link #exchange} in particular): the others are not starting.
     */
    default int incarnation() {
        return 0;
    }

    /**
     * Tells the supervisor that, should this rank fail, it cannot restart alone while the others run on, and why
     * (for instance: what its program did before its first state was registered cannot be repeated exactly); the
     * whole job then restarts instead. Any thread.
     */
    default void cannotRestartAlone(String why) {
    }

    /**
     * The image this rank restores ({@link #restoredId()}), read and checked now (it is read once; the restore at
     * {@code Checkpoint.restoreOr} uses the same): a policy that restarts a rank alone needs its data before the
     * program's setup code runs.
     *
     * @throws io.snapline.checkpoint.CheckpointException if there is none or it cannot be read
     */
    default RankImage restoredImage() {
        throw new UnsupportedOperationException("this runtime does not read images early");
    }

    /**
     * Runs {@code action} under the lock that guards accepting messages (and calling a {@link TrafficHook}): nothing
     * is accepted meanwhile. It must not block. Any thread.
     */
    default <T> T atomically(java.util.function.Supplier<T> action) {
        throw new UnsupportedOperationException("this runtime has no mailbox lock to offer");
    }

    /**
     * Puts {@code messages} in this rank's mailbox, in order, as accepted and not yet received (past the hook): a rank
     * restarted alone gets back what its setup code received. Program thread.
     */
    default void refill(java.util.List<SavedMessage> messages) {
        throw new UnsupportedOperationException("this runtime cannot refill a mailbox");
    }

    /**
     * A directory for this rank's volatile overflow, such as a message log beyond its memory bound: on the checkpoint
     * store's volume when the store is a directory, else the system's temporary directory. It may not exist yet.
     * Nothing there is part of a checkpoint.
     */
    default java.nio.file.Path scratchDirectory() {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Whether the program has posted receives that have not completed. Program thread. */
    default boolean hasPendingReceives() {
        return false;
    }

    /** Drops every message accepted and not yet received (a restore replaces them by its image's). Program thread. */
    default void dropUnreceived() {
        throw new UnsupportedOperationException("this runtime cannot empty a mailbox");
    }

    /**
     * The records of this rank's event stream kept in the store
     * ({@link io.snapline.runtime.checkpoint.store.LocalCheckpointStore#readEvents}), for a restart that replays them.
     */
    java.util.List<byte[]> readEvents();

    /**
     * Installs the hook that numbers and classifies this rank's traffic (null removes it). A rank restarted alone
     * ({@link #incarnation} above 0) accepts no message at all until its policy calls this: the policy must, once it
     * knows what the new incarnation holds.
     */
    void installHook(TrafficHook hook);

    /** Durably writes {@code image} as this rank's piece of checkpoint {@code id}. Any thread. */
    PieceRef writePiece(CheckpointId id, RankImage image);

    /**
     * Durably writes {@code image} as this rank's local checkpoint {@code index}; it is committed when this returns
     * (policies without a global manifest). Any thread.
     */
    PieceRef writeLocal(long index, RankImage image);

    /**
     * The rank's writer: one daemon thread in the rank's thread group, for writes that overlap the program. It ends
     * with the rank's part in the attempt, however that ends, as it would with the rank's process: a write queued or
     * under way then is abandoned, and nothing of the attempt reaches the store afterwards. A task's own failure
     * reaches its {@code Future}.
     */
    ExecutorService writer();

    /**
     * Waits on the program's thread until {@code condition} holds, re-checking it whenever {@link #wake()} is
     * called (and at least every 20 ms). {@code what} describes the wait for deadlock and stall reports. Throws
     * the runtime's abort exception if the job is aborted meanwhile.
     */
    void await(BooleanSupplier condition, String what);

    /**
     * {@link #await} for a wait on this rank's own checkpoint (its piece being written in the background, or the
     * commit that follows) which no peer's operation can end or cause: the rank does not count as blocked for
     * deadlock detection meanwhile (a peer waiting on it while its writer thread works is no deadlock); the
     * checkpoint timeout bounds the wait.
     */
    default void awaitCheckpoint(BooleanSupplier condition, String what) {
        await(condition, what);
    }

    /** Wakes {@link #await}. Any thread. */
    void wake();

    /**
     * Tells {@code listener}, on the program's thread, each time the program's thread starts or stops waiting inside
     * the runtime — blocked in a receive, wait, probe, collective or checkpoint, or polling with {@code Test} or
     * {@code Iprobe} and their kin without success — and for which ranks (a call may repeat the state last
     * reported); null stops it. The listener must not block or call into the runtime's messaging.
     */
    void watchWaits(WaitListener listener);

    /** Tells {@code to}, at once and on this thread, whether the program's thread waits now and for whom. Any thread. */
    void reportWait(WaitListener to);

    /**
     * Under {@code --async}: a checkpoint fell due while this rank's previous one was still being written, and the
     * policy skipped it or waited ({@link AsyncWriter}); the run report counts it. Program thread.
     */
    default void deferred(CheckpointDeferred deferred) {
    }

    /** The clock policies use for their timings. */
    long nanoTime();

    /**
     * Failure injection: called by the policy just before it writes its piece of checkpoint {@code id}. If the
     * launcher was asked to kill this rank during that checkpoint, the kill is set off now and lands while the piece
     * is being written; from then on this rank sends nothing more to the coordinator.
     */
    void aboutToWrite(CheckpointId id);
}
