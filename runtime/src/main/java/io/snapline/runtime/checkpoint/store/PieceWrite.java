package io.snapline.runtime.checkpoint.store;

/**
 * What writing a piece put in the store, for the run report.
 *
 * @param piece        the piece's reference (for a manifest)
 * @param bytesWritten the bytes really written: the piece file, and with {@code --incremental} the chunks that were
 *                     not in the store yet
 * @param fullBytes    what the piece file would take written whole (header, fingerprint and the whole payload): equal
 *                     to {@code piece.size()} for a piece written whole
 */
public record PieceWrite(PieceRef piece, long bytesWritten, long fullBytes) {

    /** A piece written whole. */
    public static PieceWrite whole(PieceRef piece) {
        return new PieceWrite(piece, piece.size(), piece.size());
    }
}
