package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Local checkpoints, for policies whose ranks checkpoint on their own (no global manifest): rank r's checkpoint
 * number k (1, 2, ... in the rank's own count; 0 stands for the rank's start) is committed by that rank alone, the
 * moment its piece is durably in place. A <em>recovery line</em> names one local checkpoint per rank to restart
 * from; the store records the line below which checkpoints were deleted (its floor), so a reader knows where each
 * rank's history must start.
 * Implementations are safe for concurrent use by different ranks.
 */
public interface LocalCheckpointStore {

    /**
     * Durably stores {@code payload} (its parts' remaining bytes, in order) as rank {@code rank}'s local checkpoint
     * {@code index}, replacing an earlier one of that number. Once this returns, the checkpoint is committed.
     *
     * @throws CheckpointStoreException if {@code rank < 0} or {@code index < 1}, or the write fails
     */
    PieceRef writeLocal(int rank, long index, ByteBuffer... payload);

    /** {@link #writeLocal}, saying also how many bytes the write really put in the store (see {@link PieceWrite}). */
    default PieceWrite writeLocalCounted(int rank, long index, ByteBuffer... payload) {
        return PieceWrite.whole(writeLocal(rank, index, payload));
    }

    /** {@link #writeLocalCounted}, the stretches {@code fixed} cut at fixed offsets as {@link PieceStore} says. */
    default PieceWrite writeLocalCounted(int rank, long index, FixedCuts fixed, ByteBuffer... payload) {
        return writeLocalCounted(rank, index, payload);
    }

    /**
     * Reads rank {@code rank}'s local checkpoint {@code index}, verifying header, size and CRC32C.
     *
     * @throws CheckpointStoreException if it is missing, torn or corrupt
     */
    byte[] readLocal(int rank, long index);

    /**
     * Verifies rank {@code rank}'s local checkpoint {@code index} as {@link #readLocal} does (header, size and the
     * CRC32C of the whole payload) and returns only the first {@code headBytes} bytes of its payload (all of it when
     * it is shorter). A file store streams the piece, so a planner that needs the small head of a large piece (its
     * dependency record comes before the program state) holds neither the piece nor its state in memory.
     *
     * @throws CheckpointStoreException if it is missing, torn or corrupt, naming the file and what is wrong
     */
    default byte[] verifyLocal(int rank, long index, int headBytes) {
        byte[] payload = readLocal(rank, index);
        return payload.length <= headBytes ? payload : java.util.Arrays.copyOf(payload, Math.max(0, headBytes));
    }

    /** Where rank {@code rank}'s local checkpoint {@code index} is kept, for messages (a file store: its path). */
    default String localLocation(int rank, long index) {
        return "rank " + rank + "'s local checkpoint " + index;
    }

    /**
     * The job fingerprint recorded in rank {@code rank}'s local checkpoint {@code index} (its header and fingerprint
     * verified, the payload not read), or empty when it records none. Read-only.
     *
     * @throws CheckpointFormatException if the checkpoint is of a format this build does not read
     * @throws CheckpointStoreException if it is missing or its header or fingerprint is damaged
     */
    Optional<JobFingerprint> localFingerprint(int rank, long index);

    /** The numbers of rank {@code rank}'s local checkpoints present (not verified), oldest first. */
    List<Long> localIndexes(int rank);

    /**
     * The ranks that have written local checkpoints or event streams, in order (a rank's entry may hold only its
     * event stream, or nothing once its checkpoints were deleted).
     */
    List<Integer> localRanks();

    /** Whether any rank has a local checkpoint in the store (an event stream alone is none). */
    default boolean hasLocalCheckpoints() {
        for (int r : localRanks()) {
            if (!localIndexes(r).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A directory for a rank's volatile overflow (a message log beyond its memory bound) on the store's volume, or
     * empty when the store has none (the caller then uses the system's temporary directory). What goes there is not
     * part of any checkpoint and need not survive its writer.
     */
    default Optional<java.nio.file.Path> scratchDirectory() {
        return Optional.empty();
    }

    /** Deletes rank {@code rank}'s local checkpoint {@code index}, if present. */
    void deleteLocal(int rank, long index);

    /**
     * Moves rank {@code rank}'s local checkpoint {@code index} out of the store's checkpoints, to a place no restart
     * and no listing looks at, instead of deleting it: for a checkpoint the restarted run cannot use but that must not
     * be lost (a valid one that a damaged neighbour made unusable, or a damaged one kept for inspection). The number
     * is free for the restarted run afterwards. Returns where it went, for messages; a store without such a place
     * deletes it and says so.
     */
    default String setAsideLocal(int rank, long index) {
        deleteLocal(rank, index);
        return "deleted (this store keeps nothing set aside)";
    }

    /**
     * Atomically records a recovery line as the store's floor: {@code line[r]} is a local checkpoint of rank r (0: its
     * start); checkpoints below the floor may be deleted afterwards, none at or above it. A restart records the line it
     * restarts from, garbage collection each later line it deletes below.
     */
    void writeRecoveryLine(long[] line);

    /**
     * The recovery line last recorded, if any.
     *
     * @throws CheckpointStoreException if it is corrupt
     */
    Optional<long[]> recoveryLine();

    /**
     * Appends {@code record} to rank {@code rank}'s event stream: the determinants a message-logging policy makes
     * stable outside the rank. Once this returns the record survives the failure of any process of the job (it is
     * written, not necessarily synced to the disk). Records are opaque to the store and checked by a checksum.
     */
    default void appendEvents(int rank, byte[] record) {
        throw new CheckpointStoreException("this store keeps no event streams");
    }

    /**
     * The records of rank {@code rank}'s event stream, in the order they were appended; empty when it has none. A
     * torn last record (the writer died in the middle of it) is left out; damage elsewhere is an error.
     *
     * @throws CheckpointStoreException if the stream cannot be read or is damaged before its last record
     */
    default List<byte[]> readEvents(int rank) {
        return List.of();
    }

    /** Atomically replaces rank {@code rank}'s event stream with {@code records} (none: deletes it). */
    default void replaceEvents(int rank, List<byte[]> records) {
        throw new CheckpointStoreException("this store keeps no event streams");
    }
}
