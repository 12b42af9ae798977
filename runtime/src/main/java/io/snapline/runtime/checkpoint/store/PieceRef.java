package io.snapline.runtime.checkpoint.store;

/**
 * Where one rank's piece of a checkpoint lives and how to verify it: the file name (relative to the
 * checkpoint), the stored size in bytes (header and fingerprint included) and the CRC32C of the payload.
 */
public record PieceRef(int rank, String fileName, long size, int crc32c) {

    public PieceRef {
        if (rank < 0) {
            throw new CheckpointStoreException("piece rank must be non-negative, got " + rank);
        }
        if (fileName == null || fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")
                || fileName.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new CheckpointStoreException("piece file name must be a plain printable-ASCII name without "
                    + "spaces or separators, got '" + fileName + "'");
        }
        if (size < CheckpointFormatDescriptor.PIECE_HEADER_SIZE) {
            throw new CheckpointStoreException("piece size " + size + " is smaller than the "
                    + CheckpointFormatDescriptor.PIECE_HEADER_SIZE + "-byte header");
        }
    }
}
