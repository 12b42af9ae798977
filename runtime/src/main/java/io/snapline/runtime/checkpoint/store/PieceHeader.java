package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A verified piece header (layout in {@link CheckpointFormatDescriptor}): magic, format version, header checksum, and
 * the checkpoint and rank it must belong to are checked by {@link #parse}.
 */
record PieceHeader(int flags, int fingerprintLength, long payloadLength, int payloadCrc, int fingerprintCrc) {
    private static final int V1_HEADER_SIZE = 36;

    /**
     * Reads and verifies the header at the start of {@code file} (which may hold just the header).
     *
     * @throws CheckpointFormatException if the piece is of another format version
     * @throws CheckpointStoreException if it is damaged or names another checkpoint or rank
     */
    static PieceHeader parse(String where, byte[] file, CheckpointId id, int rank) {
        if (file.length >= 6 && ByteBuffer.wrap(file).getInt(0) == CheckpointFormatDescriptor.PIECE_MAGIC
                && ByteBuffer.wrap(file).getShort(4) != CheckpointFormatDescriptor.FORMAT_VERSION) {
            refuseOtherVersion(where, file);
        }
        if (file.length < CheckpointFormatDescriptor.PIECE_HEADER_SIZE) {
            throw CheckpointFormatDescriptor.corrupt(where, "is " + file.length
                    + " bytes, shorter than the piece header (torn write?)");
        }
        ByteBuffer h = ByteBuffer.wrap(file, 0, CheckpointFormatDescriptor.PIECE_HEADER_SIZE);
        int magic = h.getInt();
        h.getShort();
        int flags = h.getShort() & 0xffff;
        long headerId = h.getLong();
        int headerRank = h.getInt();
        int f = h.getInt();
        long length = h.getLong();
        int payloadCrc = h.getInt();
        int fingerprintCrc = h.getInt();
        int headerCrc = h.getInt();
        if (magic != CheckpointFormatDescriptor.PIECE_MAGIC) {
            throw CheckpointFormatDescriptor.corrupt(where, "has no piece magic");
        }
        if (headerCrc != CheckpointFormatDescriptor.crc32c(file, 0, CheckpointFormatDescriptor.PIECE_HEADER_SIZE - 4)) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a header checksum mismatch");
        }
        if (headerId != id.value() || headerRank != rank || f < 0 || length < 0) {
            throw CheckpointFormatDescriptor.corrupt(where, "belongs to checkpoint " + headerId + " rank " + headerRank
                    + " with " + length + " payload bytes, expected checkpoint " + id + " rank " + rank);
        }
        if ((flags & ~CheckpointFormatDescriptor.KNOWN_FLAGS) != 0) {
            throw CheckpointFormatDescriptor.corrupt(where, String.format("has header flags 0x%04x, which this build "
                    + "does not know (written by a later Snapline?)", flags));
        }
        return new PieceHeader(flags, f, length, payloadCrc, fingerprintCrc);
    }

    /**
     * {@link #parse} for a piece whose checkpoint and rank are not known beforehand (one set aside under another
     * name): the header's own are taken.
     */
    static PieceHeader parseAny(String where, byte[] file) {
        if (file.length < CheckpointFormatDescriptor.PIECE_HEADER_SIZE) {
            throw CheckpointFormatDescriptor.corrupt(where, "is " + file.length
                    + " bytes, shorter than the piece header (torn write?)");
        }
        long id = ByteBuffer.wrap(file).getLong(8);
        if (id < 1) {
            throw CheckpointFormatDescriptor.corrupt(where, "has checkpoint id " + id + " in its header");
        }
        return parse(where, file, CheckpointId.of(id), ByteBuffer.wrap(file).getInt(16));
    }

    /** Whether the payload is a {@link ChunkList} (an incremental piece). */
    boolean chunked() {
        return (flags & CheckpointFormatDescriptor.FLAG_CHUNK_LIST) != 0;
    }

    /** A piece whose version field is not this build's: an older or newer format, or a damaged header. */
    private static void refuseOtherVersion(String where, byte[] file) {
        short version = ByteBuffer.wrap(file).getShort(4);
        boolean v1 = version == CheckpointFormatDescriptor.FORMAT_VERSION_1 && file.length >= V1_HEADER_SIZE
                && ByteBuffer.wrap(file).getInt(32) == CheckpointFormatDescriptor.crc32c(file, 0, 32);
        boolean later = version > CheckpointFormatDescriptor.FORMAT_VERSION
                && file.length >= CheckpointFormatDescriptor.PIECE_HEADER_SIZE
                && ByteBuffer.wrap(file).getInt(40) == CheckpointFormatDescriptor.crc32c(file, 0, 40);
        if (v1 || later) {
            throw CheckpointFormatDescriptor.otherFormat(where, Short.toString(version));
        }
        throw CheckpointFormatDescriptor.corrupt(where, "has a header checksum mismatch");
    }

    /** The size of the whole piece file this header describes. */
    long fileSize() {
        return CheckpointFormatDescriptor.PIECE_HEADER_SIZE + fingerprintLength + payloadLength;
    }

    /** The fingerprint in {@code file} (which must hold at least the header and the fingerprint), verified. */
    JobFingerprint fingerprint(String where, byte[] file) {
        int at = CheckpointFormatDescriptor.PIECE_HEADER_SIZE;
        if (CheckpointFormatDescriptor.crc32c(file, at, fingerprintLength) != fingerprintCrc) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a fingerprint checksum mismatch");
        }
        String text = new String(file, at, fingerprintLength, StandardCharsets.US_ASCII);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a fingerprint that does not end in a line break");
        }
        return FingerprintLines.decode(where, text.isEmpty() ? List.of() : List.of(text.split("\n")));
    }

    /** The payload of the whole piece file {@code file}, after verifying the fingerprint and payload checksums. */
    byte[] payload(String where, byte[] file) {
        fingerprint(where, file);
        int at = CheckpointFormatDescriptor.PIECE_HEADER_SIZE + fingerprintLength;
        if (CheckpointFormatDescriptor.crc32c(file, at, (int) payloadLength) != payloadCrc) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a payload checksum mismatch");
        }
        byte[] payload = new byte[(int) payloadLength];
        System.arraycopy(file, at, payload, 0, payload.length);
        return payload;
    }
}
