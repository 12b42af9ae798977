package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.function.BooleanSupplier;

/**
 * What the runtime offers a rank's policy. Methods other than {@link #wake()} must be called on the program's
 * thread, from {@link RankPolicy#atPoint}.
 */
public interface RankServices {
    int rank();

    int size();

    PolicySettings settings();

    /** The id of the checkpoint this rank was restored from, or 0 when it started fresh. */
    long restoredId();

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
     * Encodes this rank's image: the program's registered state plus the communication state (message counters,
     * messages delivered to the runtime but not yet received by the program — payloads still held by their
     * senders are fetched first — communicator contexts, the attached buffer's size).
     *
     * @throws io.snapline.checkpoint.CheckpointException if the program holds receives that have not completed,
     *     or its state cannot be encoded
     */
    byte[] capture(CheckpointId id, long point);

    /** Durably writes {@code image} as this rank's piece of checkpoint {@code id}. */
    PieceRef writePiece(CheckpointId id, byte[] image);

    /**
     * Waits on the program's thread until {@code condition} holds, re-checking it whenever {@link #wake()} is
     * called (and at least every 20 ms). {@code what} describes the wait for deadlock and stall reports. Throws
     * the runtime's abort exception if the job is aborted meanwhile.
     */
    void await(BooleanSupplier condition, String what);

    /** Wakes {@link #await}. Any thread. */
    void wake();

    /** The clock policies use for their timings. */
    long nanoTime();

    /**
     * Failure injection: called by the policy just before it writes its piece of checkpoint {@code id}. If the
     * launcher was asked to kill this rank during that checkpoint, the kill is set off now and lands while the piece
     * is being written; from then on this rank sends nothing more to the coordinator.
     */
    void aboutToWrite(CheckpointId id);
}
