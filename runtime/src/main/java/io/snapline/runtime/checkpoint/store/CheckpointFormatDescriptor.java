package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The versioned on-disk format of {@link FileCheckpointStore} (also in {@code docs/checkpoint-format.md}).
 *
 * <pre>
 * DIR/                                  owner-only (rwx------)
 *   ckpt-00000000000000000007/          one directory per checkpoint id (20 digits, sorts by id)
 *     rank-00000.piece                  one piece per rank (rw-------)
 *     rank-00001.piece
 *     MANIFEST                          present only once the checkpoint is committed
 *   local/                              local checkpoints (independent checkpointing), no manifests
 *     rank-00003/                       one directory per rank
 *       ckpt-00000000000000000012.piece rank 3's checkpoint 12: a piece file (header id 12, rank 3), committed
 *                                       by its atomic rename
 *     RECOVERY-LINE                     the floor: the line below which local checkpoints were deleted (below)
 *   *.tmp                               anywhere: an interrupted write, ignored and deleted on restart
 *
 * Piece file (big-endian):
 *   offset size  field
 *        0    4  magic 0x534E5043 ("SNPC")
 *        4    2  format version (1)
 *        6    2  reserved, 0
 *        8    8  checkpoint id
 *       16    4  rank
 *       20    8  payload length n
 *       28    4  CRC32C of the payload
 *       32    4  CRC32C of bytes 0..31 (the header above)
 *       36    n  payload
 *
 * MANIFEST (US-ASCII lines ending in '\n'):
 *   snapline-manifest 1
 *   checkpoint &lt;id&gt;
 *   ranks &lt;n&gt;
 *   piece &lt;rank&gt; &lt;file name&gt; &lt;size in bytes&gt; &lt;payload CRC32C, 8 hex digits&gt;   (n lines, by rank)
 *   crc32c &lt;CRC32C of every preceding byte, 8 lower-case hex digits&gt;
 *
 * RECOVERY-LINE (US-ASCII lines ending in '\n'):
 *   snapline-recovery-line 1
 *   ranks &lt;n&gt;
 *   line &lt;rank&gt; &lt;local checkpoint; 0 = the start&gt;   (n lines, by rank)
 *   crc32c &lt;CRC32C of every preceding byte, 8 lower-case hex digits&gt;
 * </pre>
 *
 * A checkpoint is complete when its MANIFEST parses, its own checksum matches and every piece it names has the
 * stated size, a valid header for the same checkpoint and rank, and a payload matching its CRC32C.
 */
public final class CheckpointFormatDescriptor {

    public static final int PIECE_MAGIC = 0x534E5043;
    public static final short FORMAT_VERSION = 1;
    public static final int PIECE_HEADER_SIZE = 36;
    public static final String MANIFEST_FILE = "MANIFEST";
    public static final String TEMP_SUFFIX = ".tmp";
    static final String MANIFEST_FIRST_LINE = "snapline-manifest " + FORMAT_VERSION;

    private CheckpointFormatDescriptor() {
    }

    /** The directory name of checkpoint {@code id}. */
    public static String checkpointDirName(CheckpointId id) {
        return String.format("ckpt-%020d", id.value());
    }

    /** The checkpoint id of a directory name, or -1 if it is not one. */
    static long parseCheckpointDirName(String name) {
        if (name.length() != 25 || !name.startsWith("ckpt-")) {
            return -1;
        }
        for (int i = 5; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        long value = Long.parseLong(name.substring(5));
        return value >= 1 ? value : -1;
    }

    /** The directory (under {@code local/}) of {@code rank}'s local checkpoints. */
    static String localRankDirName(int rank) {
        return String.format("rank-%05d", rank);
    }

    /** The rank of a local directory name, or -1 if it is not one. */
    static int parseLocalRankDirName(String name) {
        if (name.length() != 10 || !name.startsWith("rank-") || !name.substring(5).chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(name.substring(5));
    }

    /** Refuses a local checkpoint number below 1 or a negative rank. */
    static void requireLocal(int rank, long index) {
        if (rank < 0 || index < 1) {
            throw new CheckpointStoreException("a local checkpoint needs a rank >= 0 and a number >= 1, got rank "
                    + rank + " number " + index);
        }
    }

    /** The remaining bytes of {@code parts}, in order, in one array; their positions are left unchanged. */
    static byte[] join(ByteBuffer... parts) {
        long total = 0;
        for (ByteBuffer p : parts) {
            total += p.remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new CheckpointStoreException("a piece of " + total + " bytes is larger than this store can hold");
        }
        byte[] all = new byte[(int) total];
        int at = 0;
        for (ByteBuffer p : parts) {
            int n = p.remaining();
            p.duplicate().get(all, at, n);
            at += n;
        }
        return all;
    }

    /** The file name of local checkpoint {@code index}. */
    static String localPieceFileName(long index) {
        return checkpointDirName(CheckpointId.of(index)) + ".piece";
    }

    /** The index of a local piece file name, or -1 if it is not one. */
    static long parseLocalPieceFileName(String name) {
        return name.endsWith(".piece") ? parseCheckpointDirName(name.substring(0, name.length() - 6)) : -1;
    }

    static final String RECOVERY_LINE_FILE = "RECOVERY-LINE";
    private static final String RECOVERY_LINE_FIRST_LINE = "snapline-recovery-line 1";

    /** The RECOVERY-LINE bytes of {@code line}. */
    static byte[] encodeRecoveryLine(long[] line) {
        StringBuilder text = new StringBuilder(48 + 24 * line.length);
        text.append(RECOVERY_LINE_FIRST_LINE).append('\n').append("ranks ").append(line.length).append('\n');
        for (int r = 0; r < line.length; r++) {
            text.append("line ").append(r).append(' ').append(line[r]).append('\n');
        }
        return withChecksum(text);
    }

    /**
     * Parses and verifies RECOVERY-LINE bytes.
     *
     * @throws CheckpointStoreException saying what is wrong
     */
    static long[] decodeRecoveryLine(String where, byte[] bytes) {
        String[] lines = checkedLines(where, bytes);
        try {
            if (!lines[0].equals(RECOVERY_LINE_FIRST_LINE)) {
                throw corrupt(where, "starts with '" + lines[0] + "', expected '" + RECOVERY_LINE_FIRST_LINE + "'");
            }
            int ranks = Integer.parseInt(field(lines[1], "ranks"));
            if (lines.length != 2 + ranks) {
                throw corrupt(where, "names " + (lines.length - 2) + " checkpoints for " + ranks + " ranks");
            }
            long[] line = new long[ranks];
            for (int r = 0; r < ranks; r++) {
                String[] f = field(lines[2 + r], "line").split(" ");
                if (Integer.parseInt(f[0]) != r || Long.parseLong(f[1]) < 0) {
                    throw corrupt(where, "has '" + lines[2 + r] + "' where rank " + r + "'s entry belongs");
                }
                line[r] = Long.parseLong(f[1]);
            }
            return line;
        } catch (RuntimeException e) {
            if (e instanceof CheckpointStoreException cse && cse.getMessage().startsWith(where)) {
                throw cse;
            }
            throw corrupt(where, "is malformed: " + e.getMessage());
        }
    }

    private static byte[] withChecksum(StringBuilder text) {
        byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] trailer = ("crc32c " + hex(crc32c(body, 0, body.length)) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[body.length + trailer.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(trailer, 0, all, body.length, trailer.length);
        return all;
    }

    /** The lines before a verified checksum trailer. */
    private static String[] checkedLines(String where, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int trailerStart = text.lastIndexOf("crc32c ");
        if (trailerStart < 0 || !text.endsWith("\n")) {
            throw corrupt(where, "has no checksum line (torn write?)");
        }
        String expected = text.substring(trailerStart + 7, text.length() - 1);
        if (!expected.equals(hex(crc32c(bytes, 0, trailerStart)))) {
            throw corrupt(where, "has a checksum mismatch");
        }
        return text.substring(0, trailerStart).split("\n");
    }

    /**
     * Verifies a whole piece file whose header must name {@code id} and {@code rank} (no manifest entry to compare
     * with: a local checkpoint's own header is its reference) and returns its payload.
     */
    static byte[] verifyLocalPiece(String where, byte[] file, CheckpointId id, int rank) {
        if (file.length < PIECE_HEADER_SIZE) {
            throw corrupt(where, "is " + file.length + " bytes, shorter than the piece header (torn write?)");
        }
        ByteBuffer header = ByteBuffer.wrap(file, 0, PIECE_HEADER_SIZE);
        header.position(20);
        long length = header.getLong();
        int payloadCrc = header.getInt();
        return verifyPiece(where, file, id, new PieceRef(rank, localPieceFileName(id.value()),
                PIECE_HEADER_SIZE + Math.max(0, length), payloadCrc));
    }

    /** The file name of {@code rank}'s piece. */
    public static String pieceFileName(int rank) {
        return String.format("rank-%05d.piece", rank);
    }

    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** The header of a piece holding {@code payload}. */
    static byte[] pieceHeader(CheckpointId id, int rank, byte[] payload) {
        return pieceHeader(id, rank, payload.length, crc32c(payload, 0, payload.length));
    }

    /** The header of a piece whose payload is {@code length} bytes with CRC32C {@code payloadCrc}. */
    static byte[] pieceHeader(CheckpointId id, int rank, long length, int payloadCrc) {
        ByteBuffer header = ByteBuffer.allocate(PIECE_HEADER_SIZE);
        header.putInt(PIECE_MAGIC).putShort(FORMAT_VERSION).putShort((short) 0)
                .putLong(id.value()).putInt(rank).putLong(length).putInt(payloadCrc);
        header.putInt(crc32c(header.array(), 0, 32));
        return header.array();
    }

    /** The CRC32C of the remaining bytes of {@code parts}, in order; their positions are left unchanged. */
    static int crc32c(ByteBuffer... parts) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer p : parts) {
            crc.update(p.duplicate());
        }
        return (int) crc.getValue();
    }

    /**
     * Verifies a whole piece file against the header rules and {@code ref} and returns its payload.
     *
     * @throws CheckpointStoreException saying what does not match
     */
    static byte[] verifyPiece(String where, byte[] file, CheckpointId id, PieceRef ref) {
        if (file.length != ref.size()) {
            throw corrupt(where, "is " + file.length + " bytes, the manifest says " + ref.size()
                    + " (torn write?)");
        }
        int payloadCrc = checkHeader(where, ByteBuffer.wrap(file, 0, PIECE_HEADER_SIZE), id, ref);
        int length = (int) ref.payloadLength();
        int actual = crc32c(file, PIECE_HEADER_SIZE, length);
        if (actual != payloadCrc || actual != ref.crc32c()) {
            throw corrupt(where, "has a payload checksum mismatch");
        }
        byte[] payload = new byte[length];
        System.arraycopy(file, PIECE_HEADER_SIZE, payload, 0, payload.length);
        return payload;
    }

    /**
     * Checks a piece header (its position at the header's start) against the rules and {@code ref}; returns the
     * payload CRC32C it states.
     */
    private static int checkHeader(String where, ByteBuffer header, CheckpointId id, PieceRef ref) {
        int magic = header.getInt();
        short version = header.getShort();
        header.getShort();
        long headerId = header.getLong();
        int rank = header.getInt();
        long length = header.getLong();
        int payloadCrc = header.getInt();
        int headerCrc = header.getInt();
        if (magic != PIECE_MAGIC) {
            throw corrupt(where, "has no piece magic");
        }
        byte[] first = new byte[32];
        header.duplicate().position(header.position() - PIECE_HEADER_SIZE).get(first);
        if (headerCrc != crc32c(first, 0, 32)) {
            throw corrupt(where, "has a header checksum mismatch");
        }
        if (version != FORMAT_VERSION) {
            throw corrupt(where, "has format version " + version + "; this runtime reads version "
                    + FORMAT_VERSION);
        }
        if (headerId != id.value() || rank != ref.rank() || length != ref.payloadLength()) {
            throw corrupt(where, "belongs to checkpoint " + headerId + " rank " + rank + " with " + length
                    + " payload bytes, expected checkpoint " + id + " rank " + ref.rank());
        }
        return payloadCrc;
    }

    /** How many bytes a streaming verification reads at a time. */
    private static final int VERIFY_CHUNK = 256 * 1024;

    /**
     * Verifies a local piece file of {@code fileSize} bytes read from {@code in} (at its start) as
     * {@link #verifyLocalPiece(String, byte[], CheckpointId, int)} does, streaming it: only its header, the first
     * {@code headBytes} payload bytes (returned; fewer when the payload is shorter) and one read buffer are held in
     * memory, so a large piece costs one sequential read and its checksum.
     *
     * @throws CheckpointStoreException saying what does not match
     * @throws IOException if reading fails
     */
    static byte[] verifyLocalPiece(String where, ReadableByteChannel in, long fileSize, CheckpointId id, int rank,
            int headBytes) throws IOException {
        if (fileSize < PIECE_HEADER_SIZE) {
            throw corrupt(where, "is " + fileSize + " bytes, shorter than the piece header (torn write?)");
        }
        ByteBuffer header = ByteBuffer.allocate(PIECE_HEADER_SIZE);
        readFully(in, header);
        long length = header.getLong(20);
        int statedCrc = header.getInt(28);
        PieceRef ref = new PieceRef(rank, localPieceFileName(id.value()), PIECE_HEADER_SIZE + Math.max(0, length),
                statedCrc);
        checkHeader(where, header.flip(), id, ref);
        if (fileSize != ref.size()) {
            throw corrupt(where, "is " + fileSize + " bytes, its header says " + ref.size() + " (torn write?)");
        }
        byte[] head = new byte[(int) Math.min(Math.max(0, headBytes), length)];
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(VERIFY_CHUNK, Math.max(1, length)));
        long left = length;
        long at = 0;
        while (left > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), left));
            readFully(in, chunk);
            chunk.flip();
            if (at < head.length) {
                int n = (int) Math.min(head.length - at, chunk.remaining());
                chunk.duplicate().get(head, (int) at, n);
            }
            crc.update(chunk);
            at += chunk.limit();
            left -= chunk.limit();
        }
        if ((int) crc.getValue() != statedCrc) {
            throw corrupt(where, "has a payload checksum mismatch");
        }
        return head;
    }

    private static void readFully(ReadableByteChannel in, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (in.read(into) < 0) {
                throw new java.io.EOFException("the file ended while being read");
            }
        }
    }

    /** The MANIFEST bytes of {@code manifest}. */
    static byte[] encodeManifest(Manifest manifest) {
        StringBuilder text = new StringBuilder(64 + 48 * manifest.ranks());
        text.append(MANIFEST_FIRST_LINE).append('\n')
                .append("checkpoint ").append(manifest.id().value()).append('\n')
                .append("ranks ").append(manifest.ranks()).append('\n');
        for (PieceRef piece : manifest.pieces()) {
            text.append("piece ").append(piece.rank()).append(' ').append(piece.fileName()).append(' ')
                    .append(piece.size()).append(' ').append(hex(piece.crc32c())).append('\n');
        }
        return withChecksum(text);
    }

    /**
     * Parses and verifies MANIFEST bytes.
     *
     * @throws CheckpointStoreException saying what is wrong
     */
    static Manifest decodeManifest(String where, byte[] bytes) {
        String[] lines = checkedLines(where, bytes);
        try {
            if (!lines[0].equals(MANIFEST_FIRST_LINE)) {
                throw corrupt(where, "starts with '" + lines[0] + "', expected '" + MANIFEST_FIRST_LINE + "'");
            }
            CheckpointId id = CheckpointId.of(Long.parseLong(field(lines[1], "checkpoint")));
            int ranks = Integer.parseInt(field(lines[2], "ranks"));
            if (lines.length != 3 + ranks) {
                throw corrupt(where, "names " + (lines.length - 3) + " pieces for " + ranks + " ranks");
            }
            List<PieceRef> pieces = new ArrayList<>(ranks);
            for (int i = 3; i < lines.length; i++) {
                String[] f = field(lines[i], "piece").split(" ");
                pieces.add(new PieceRef(Integer.parseInt(f[0]), f[1], Long.parseLong(f[2]),
                        Integer.parseUnsignedInt(f[3], 16)));
            }
            return new Manifest(id, ranks, pieces);
        } catch (RuntimeException e) {
            if (e instanceof CheckpointStoreException cse && cse.getMessage().startsWith(where)) {
                throw cse;
            }
            throw corrupt(where, "is malformed: " + e.getMessage());
        }
    }

    private static String field(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new IllegalArgumentException("expected a '" + key + "' line, got '" + line + "'");
        }
        return line.substring(key.length() + 1);
    }

    private static String hex(int crc) {
        return String.format("%08x", crc);
    }

    private static CheckpointStoreException corrupt(String where, String what) {
        return new CheckpointStoreException(where + " " + what);
    }
}
