package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Local checkpoints, for policies whose ranks checkpoint on their own (no global manifest): rank r's checkpoint
 * number k (1, 2, ... in the rank's own count; 0 stands for the rank's start) is committed by that rank alone, the
 * moment its piece is durably in place. A <em>recovery line</em> names one local checkpoint per rank to restart
 * from; the supervisor records it before restarting, so a launcher that dies while restarting resumes the same line.
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

    /**
     * Reads rank {@code rank}'s local checkpoint {@code index}, verifying header, size and CRC32C.
     *
     * @throws CheckpointStoreException if it is missing, torn or corrupt
     */
    byte[] readLocal(int rank, long index);

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

    /** The ranks that have written local checkpoints, in order. */
    List<Integer> localRanks();

    /** Deletes rank {@code rank}'s local checkpoint {@code index}, if present. */
    void deleteLocal(int rank, long index);

    /**
     * Atomically records the recovery line a restart uses: {@code line[r]} is the local checkpoint rank r restores
     * (0: it starts from the beginning).
     */
    void writeRecoveryLine(long[] line);

    /**
     * The recovery line last recorded, if any.
     *
     * @throws CheckpointStoreException if it is corrupt
     */
    Optional<long[]> recoveryLine();
}
