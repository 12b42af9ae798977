package io.snapline.runtime.checkpoint.store;

/**
 * The rank's view of the store: write this rank's piece of a checkpoint, and read it back verified on restore.
 * A written piece is invisible to recovery until the coordinator commits a manifest naming it.
 * Implementations are safe for concurrent use by different ranks.
 */
public interface PieceStore {

    /**
     * Durably stores {@code payload} as {@code rank}'s piece of checkpoint {@code id}, replacing any earlier
     * uncommitted attempt, and returns the reference the coordinator puts in the manifest.
     */
    PieceRef writePiece(CheckpointId id, int rank, byte[] payload);

    /**
     * {@link #writePiece(CheckpointId, int, byte[])} for a payload given as consecutive parts (their remaining
     * bytes, in order; positions are left unchanged), so a large state need not be copied into one array first.
     */
    default PieceRef writePiece(CheckpointId id, int rank, java.nio.ByteBuffer... payload) {
        return writePiece(id, rank, CheckpointFormatDescriptor.join(payload));
    }

    /**
     * {@link #writePiece(CheckpointId, int, java.nio.ByteBuffer...)}, saying also how many bytes the write really put
     * in the store (an incremental store writes only the chunks it does not have).
     */
    default PieceWrite writePieceCounted(CheckpointId id, int rank, java.nio.ByteBuffer... payload) {
        return PieceWrite.whole(writePiece(id, rank, payload));
    }

    /**
     * {@link #writePieceCounted(CheckpointId, int, java.nio.ByteBuffer...)} for a payload whose stretches {@code fixed}
     * hold large primitive arrays, which an incremental store cuts at fixed offsets ({@link FixedCuts}); a store that
     * writes pieces whole ignores them.
     */
    default PieceWrite writePieceCounted(CheckpointId id, int rank, FixedCuts fixed, java.nio.ByteBuffer... payload) {
        return writePieceCounted(id, rank, payload);
    }

    /**
     * Reads the payload of {@code piece} of checkpoint {@code id}, verifying size, header and CRC32C.
     *
     * @throws CheckpointStoreException if the piece is missing, torn or corrupt
     */
    byte[] readPiece(CheckpointId id, PieceRef piece);
}
