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
 *   set-aside/local/rank-00003/         local checkpoints a restart could not use but kept (valid ones that a damaged
 *                                       neighbour made unusable, damaged ones for inspection); never read
 *   chunks/                             the chunks of incremental pieces, with intents and trash (ChunkStore)
 *   *.tmp                               anywhere: an interrupted write, ignored and deleted on restart
 *
 * Piece file (big-endian):
 *   offset size  field
 *        0    4  magic 0x534E5043 ("SNPC")
 *        4    2  format version (2)
 *        6    2  flags: bit 0 set: the payload is a chunk list (an incremental piece, see ChunkList and
 *                ChunkStore); other bits 0
 *        8    8  checkpoint id
 *       16    4  rank
 *       20    4  fingerprint length f
 *       24    8  payload length n
 *       32    4  CRC32C of the payload
 *       36    4  CRC32C of the fingerprint
 *       40    4  CRC32C of bytes 0..39 (the header above)
 *       44    f  the job's fingerprint: its 'job' lines, as in the MANIFEST (f = 0: written without one)
 *     44+f    n  payload
 *
 * MANIFEST (US-ASCII lines ending in '\n'):
 *   snapline-manifest 2
 *   checkpoint &lt;id&gt;
 *   ranks &lt;n&gt;
 *   job &lt;code&gt; &lt;name&gt; &lt;value&gt;   (the job's fingerprint, a line per field in code order: FingerprintLines)
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
 * stated size, a valid header for the same checkpoint and rank, and a fingerprint and a payload matching their CRC32C.
 * Files of format 1 (no fingerprint; a 36-byte piece header) are refused with a {@link CheckpointFormatException}.
 */
public final class CheckpointFormatDescriptor {

    public static final int PIECE_MAGIC = 0x534E5043;
    public static final short FORMAT_VERSION = 2;
    public static final int PIECE_HEADER_SIZE = 44;
    /** Piece header flag: the payload is a {@link ChunkList}, the real payload is in the store's chunks. */
    static final int FLAG_CHUNK_LIST = 1;
    /** The piece header flags this build reads. */
    static final int KNOWN_FLAGS = FLAG_CHUNK_LIST;
    /** The format before job fingerprints: a 36-byte piece header whose CRC32C covers bytes 0..31. */
    static final short FORMAT_VERSION_1 = 1;
    public static final String MANIFEST_FILE = "MANIFEST";
    public static final String TEMP_SUFFIX = ".tmp";
    /** Where checkpoints that must not be lost but that no restart may use are moved ({@code set-aside/local/...}). */
    public static final String SET_ASIDE_DIR = "set-aside";
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
    /** A rank's event stream (message logging), in its local checkpoint directory. */
    static final String EVENTS_FILE = "EVENTS";

    /** One record of an event stream: length i32, CRC32C i32 of the bytes, the bytes (all little-endian). */
    static byte[] eventRecord(byte[] record) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(record);
        return ByteBuffer.allocate(8 + record.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(record.length)
                .putInt((int) crc.getValue()).put(record).array();
    }

    /**
     * The records of an event stream file's bytes. A torn last record is left out; a damaged one before it throws.
     */
    static java.util.List<byte[]> eventRecords(String where, byte[] file) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() > 0) {
            if (b.remaining() < 8) {
                break; // torn header of the last record
            }
            int length = b.getInt();
            int crc = b.getInt();
            if (length < 0 || length > b.remaining()) {
                if (length >= 0) {
                    break; // torn last record
                }
                throw new CheckpointStoreException(where + " is damaged: a record of length " + length);
            }
            byte[] record = new byte[length];
            b.get(record);
            java.util.zip.CRC32C c = new java.util.zip.CRC32C();
            c.update(record);
            if ((int) c.getValue() != crc) {
                if (b.remaining() == 0) {
                    break; // the last record, torn in the middle
                }
                throw new CheckpointStoreException(where + " is damaged: record " + (out.size() + 1) + " fails its "
                        + "CRC32C check");
            }
            out.add(record);
        }
        return out;
    }
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
        return whole(where, verifyLocalPieceFile(where, file, id, rank));
    }

    /** A verified piece: its header and its payload (a {@link ChunkList} when the header says so). */
    record VerifiedPiece(PieceHeader header, byte[] payload) {
    }

    /** {@link #verifyLocalPiece(String, byte[], CheckpointId, int)} for a store that reads incremental pieces too. */
    static VerifiedPiece verifyLocalPieceFile(String where, byte[] file, CheckpointId id, int rank) {
        PieceHeader h = PieceHeader.parse(where, file, id, rank);
        long expected = h.fileSize();
        if (file.length != expected) {
            throw corrupt(where, "is " + file.length + " bytes, its header says " + expected + " (torn write?)");
        }
        return new VerifiedPiece(h, h.payload(where, file));
    }

    /** The payload of a piece that must hold its payload whole (a store without chunks reads no incremental piece). */
    private static byte[] whole(String where, VerifiedPiece piece) {
        if (piece.header().chunked()) {
            throw corrupt(where, "is an incremental piece (a chunk list), which only the file store that keeps its "
                    + "chunks can read");
        }
        return piece.payload();
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

    /** A whole piece file: header, {@code fingerprint} (may be null) and {@code payload}. */
    static byte[] pieceFile(CheckpointId id, int rank, JobFingerprint fingerprint, byte[] payload) {
        byte[] lines = FingerprintLines.bytes(fingerprint);
        byte[] header = pieceHeader(id, rank, lines, payload.length, crc32c(payload, 0, payload.length));
        byte[] file = new byte[header.length + lines.length + payload.length];
        System.arraycopy(header, 0, file, 0, header.length);
        System.arraycopy(lines, 0, file, header.length, lines.length);
        System.arraycopy(payload, 0, file, header.length + lines.length, payload.length);
        return file;
    }

    /**
     * The header of a piece with the fingerprint section {@code fingerprint} (its bytes, see {@link FingerprintLines})
     * and a payload of {@code length} bytes with CRC32C {@code payloadCrc}.
     */
    static byte[] pieceHeader(CheckpointId id, int rank, byte[] fingerprint, long length, int payloadCrc) {
        return pieceHeader(id, rank, fingerprint, length, payloadCrc, 0);
    }

    /** {@link #pieceHeader(CheckpointId, int, byte[], long, int)} with header {@code flags}. */
    static byte[] pieceHeader(CheckpointId id, int rank, byte[] fingerprint, long length, int payloadCrc, int flags) {
        ByteBuffer header = ByteBuffer.allocate(PIECE_HEADER_SIZE);
        header.putInt(PIECE_MAGIC).putShort(FORMAT_VERSION).putShort((short) flags)
                .putLong(id.value()).putInt(rank).putInt(fingerprint.length).putLong(length).putInt(payloadCrc)
                .putInt(crc32c(fingerprint, 0, fingerprint.length));
        header.putInt(crc32c(header.array(), 0, PIECE_HEADER_SIZE - 4));
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
        return whole(where, verifyPieceFile(where, file, id, ref));
    }

    /** {@link #verifyPiece} for a store that reads incremental pieces too. */
    static VerifiedPiece verifyPieceFile(String where, byte[] file, CheckpointId id, PieceRef ref) {
        if (file.length != ref.size()) {
            throw corrupt(where, "is " + file.length + " bytes, the manifest says " + ref.size()
                    + " (torn write?)");
        }
        PieceHeader h = PieceHeader.parse(where, file, id, ref.rank());
        if (h.fileSize() != ref.size()) {
            throw corrupt(where, "has a header for " + h.fileSize() + " bytes, the manifest says " + ref.size());
        }
        if (h.payloadCrc() != ref.crc32c()) {
            throw corrupt(where, "has a payload checksum mismatch");
        }
        return new VerifiedPiece(h, h.payload(where, file));
    }

    /** How many bytes a streaming verification reads at a time. */
    private static final int VERIFY_CHUNK = 256 * 1024;

    /**
     * Verifies a local piece file of {@code fileSize} bytes read from {@code in} (at its start) as
     * {@link #verifyLocalPiece(String, byte[], CheckpointId, int)} does, streaming it: only its header, its
     * fingerprint, the first {@code headBytes} payload bytes (returned; fewer when the payload is shorter) and one read
     * buffer are held in memory, so a large piece costs one sequential read and its checksum.
     *
     * @throws CheckpointFormatException if the piece is of another format version
     * @throws CheckpointStoreException saying what does not match
     * @throws IOException if reading fails
     */
    static byte[] verifyLocalPiece(String where, ReadableByteChannel in, long fileSize, CheckpointId id, int rank,
            int headBytes) throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(PIECE_HEADER_SIZE, Math.max(0, fileSize)));
        readFully(in, header);
        PieceHeader h = PieceHeader.parse(where, header.array(), id, rank);
        if (h.chunked()) {
            throw corrupt(where, "is an incremental piece: verify its chunk list and its chunks instead");
        }
        if (fileSize != h.fileSize()) {
            throw corrupt(where, "is " + fileSize + " bytes, its header says " + h.fileSize() + " (torn write?)");
        }
        ByteBuffer withFingerprint = ByteBuffer.allocate(PIECE_HEADER_SIZE + h.fingerprintLength());
        withFingerprint.put(header.flip());
        readFully(in, withFingerprint);
        h.fingerprint(where, withFingerprint.array());
        long length = h.payloadLength();
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
        if ((int) crc.getValue() != h.payloadCrc()) {
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

    /**
     * The fingerprint recorded in a piece, from its first {@link #PIECE_HEADER_SIZE} + f bytes (more are ignored):
     * the header is verified as in {@link #verifyPiece}, the fingerprint section against its CRC32C; the payload is not
     * read. Null when the piece was written without one.
     *
     * @throws CheckpointStoreException if the header or the fingerprint is damaged, or of another checkpoint
     */
    static JobFingerprint pieceFingerprint(String where, byte[] head, CheckpointId id, int rank) {
        PieceHeader h = PieceHeader.parse(where, head, id, rank);
        if (head.length < PIECE_HEADER_SIZE + h.fingerprintLength()) {
            throw corrupt(where, "ends inside its fingerprint (torn write?)");
        }
        return h.fingerprint(where, head);
    }

    /** How many bytes {@link #pieceFingerprint} needs, given the piece's first {@link #PIECE_HEADER_SIZE} bytes. */
    static int fingerprintEnd(byte[] header) {
        int f = ByteBuffer.wrap(header, 0, PIECE_HEADER_SIZE).getInt(20);
        return PIECE_HEADER_SIZE + Math.max(0, f);
    }

    /** The MANIFEST bytes of {@code manifest}, recording {@code fingerprint} (null: none). */
    static byte[] encodeManifest(Manifest manifest, JobFingerprint fingerprint) {
        StringBuilder text = new StringBuilder(320 + 48 * manifest.ranks());
        text.append(MANIFEST_FIRST_LINE).append('\n')
                .append("checkpoint ").append(manifest.id().value()).append('\n')
                .append("ranks ").append(manifest.ranks()).append('\n')
                .append(FingerprintLines.encode(fingerprint));
        for (PieceRef piece : manifest.pieces()) {
            text.append("piece ").append(piece.rank()).append(' ').append(piece.fileName()).append(' ')
                    .append(piece.size()).append(' ').append(hex(piece.crc32c())).append('\n');
        }
        return withChecksum(text);
    }

    /** A decoded MANIFEST: the checkpoint and the fingerprint it records (null: none). */
    record ManifestFile(Manifest manifest, JobFingerprint fingerprint) {
    }

    /**
     * Parses and verifies MANIFEST bytes.
     *
     * @throws CheckpointFormatException if they are of another format version
     * @throws CheckpointStoreException saying what is wrong
     */
    static ManifestFile decodeManifest(String where, byte[] bytes) {
        String[] lines = checkedLines(where, bytes);
        try {
            if (!lines[0].equals(MANIFEST_FIRST_LINE)) {
                if (lines[0].startsWith("snapline-manifest ")) {
                    throw otherFormat(where, lines[0].substring("snapline-manifest ".length()));
                }
                throw corrupt(where, "starts with '" + lines[0] + "', expected '" + MANIFEST_FIRST_LINE + "'");
            }
            CheckpointId id = CheckpointId.of(Long.parseLong(field(lines[1], "checkpoint")));
            int ranks = Integer.parseInt(field(lines[2], "ranks"));
            int at = 3;
            List<String> job = new ArrayList<>();
            while (at < lines.length && lines[at].startsWith(FingerprintLines.PREFIX)) {
                job.add(lines[at++]);
            }
            JobFingerprint fingerprint = FingerprintLines.decode(where, job);
            if (lines.length - at != ranks) {
                throw corrupt(where, "names " + (lines.length - at) + " pieces for " + ranks + " ranks");
            }
            List<PieceRef> pieces = new ArrayList<>(ranks);
            for (int i = at; i < lines.length; i++) {
                String[] f = field(lines[i], "piece").split(" ");
                pieces.add(new PieceRef(Integer.parseInt(f[0]), f[1], Long.parseLong(f[2]),
                        Integer.parseUnsignedInt(f[3], 16)));
            }
            return new ManifestFile(new Manifest(id, ranks, pieces), fingerprint);
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

    static CheckpointStoreException corrupt(String where, String what) {
        return new CheckpointStoreException(where + " " + what);
    }

    /** {@code where} is of format {@code version}, which this build does not read. */
    static CheckpointFormatException otherFormat(String where, String version) {
        boolean older;
        try {
            older = Integer.parseInt(version) < FORMAT_VERSION;
        } catch (NumberFormatException e) {
            older = false;
        }
        return new CheckpointFormatException(where + " was written in checkpoint format " + version + " by "
                + (older ? "an earlier" : "a later") + " Snapline; this build reads format " + FORMAT_VERSION
                + " only. Continue that job with the Snapline version that started it, or start the job afresh with "
                + "another --store");
    }
}
