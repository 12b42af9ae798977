package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The payload of an incremental piece: the chunks its real payload was cut into ({@link Chunker}), each named by the
 * SHA-256 of its bytes and kept once in the store's chunk directory ({@link ChunkStore}). The piece around it keeps its
 * header, fingerprint and CRC32C (of these bytes); bit 0 of the header's flags says the payload is a chunk list.
 *
 * <pre>
 * Chunk list (big-endian):
 *   offset size  field
 *        0    4  magic 0x534C434B ("SLCK")
 *        4    2  version (1)
 *        6    2  reserved, 0
 *        8    8  total length: the real payload's bytes, the sum of the chunks' lengths
 *       16    4  c: chunks
 *       20  36c  c x (length i32, SHA-256 of the chunk's bytes, 32 bytes), in payload order
 * </pre>
 *
 * @param total  the real payload's length
 * @param chunks the chunks, in payload order (a chunk may appear more than once)
 */
public record ChunkList(long total, List<Chunk> chunks) {
    static final int MAGIC = 0x534C434B;
    static final short VERSION = 1;
    static final int HEADER_SIZE = 20;
    static final int ENTRY_SIZE = 36;
    private static final HexFormat HEX = HexFormat.of();

    /** One chunk: its SHA-256 in lower-case hex (its name in the store) and its length. */
    public record Chunk(String hash, int length) {
        public Chunk {
            if (hash == null || hash.length() != 64 || !hash.chars().allMatch(c -> c >= '0' && c <= '9'
                    || c >= 'a' && c <= 'f')) {
                throw new CheckpointStoreException("a chunk name must be 64 lower-case hex digits, got " + hash);
            }
            if (length < 1) {
                throw new CheckpointStoreException("chunk " + hash + " has length " + length + "; chunks are "
                        + "never empty");
            }
        }
    }

    public ChunkList {
        chunks = List.copyOf(chunks);
        long sum = 0;
        for (Chunk c : chunks) {
            sum += c.length();
        }
        if (sum != total) {
            throw new CheckpointStoreException("a chunk list of " + total + " bytes whose chunks add up to " + sum);
        }
    }

    /** Cuts the remaining bytes of {@code parts} (in order; positions unchanged) into chunks and names each. */
    static ChunkList of(ByteBuffer... parts) {
        return of(FixedCuts.NONE, parts);
    }

    /** {@link #of(ByteBuffer...)}, the stretches of {@code fixed} cut at fixed offsets ({@link Chunker}). */
    static ChunkList of(FixedCuts fixed, ByteBuffer... parts) {
        List<Integer> lengths = Chunker.lengths(fixed, parts);
        List<Chunk> chunks = new ArrayList<>(lengths.size());
        Cursor cursor = new Cursor(parts);
        long total = 0;
        MessageDigest sha = sha256();
        for (int length : lengths) {
            for (ByteBuffer slice : cursor.next(length)) {
                sha.update(slice);
            }
            chunks.add(new Chunk(HEX.formatHex(sha.digest()), length));
            total += length;
        }
        return new ChunkList(total, chunks);
    }

    /** The chunk list's bytes (layout above). */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + ENTRY_SIZE * chunks.size());
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(total).putInt(chunks.size());
        for (Chunk c : chunks) {
            b.putInt(c.length()).put(HEX.parseHex(c.hash()));
        }
        return b.array();
    }

    /**
     * Decodes a chunk list read from {@code where}.
     *
     * @throws CheckpointStoreException naming {@code where} when the bytes are not a chunk list of version 1
     */
    static ChunkList decode(String where, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER_SIZE || b.getInt() != MAGIC) {
            throw CheckpointFormatDescriptor.corrupt(where, "is marked incremental but holds no chunk list");
        }
        short version = b.getShort();
        if (version != VERSION) {
            throw CheckpointFormatDescriptor.corrupt(where, "holds a chunk list of version " + version
                    + "; this build reads version " + VERSION);
        }
        b.getShort();
        long total = b.getLong();
        int count = b.getInt();
        if (count < 0 || bytes.length != HEADER_SIZE + (long) ENTRY_SIZE * count) {
            throw CheckpointFormatDescriptor.corrupt(where, "holds a chunk list of " + bytes.length
                    + " bytes that says it names " + count + " chunks");
        }
        List<Chunk> chunks = new ArrayList<>(count);
        byte[] hash = new byte[32];
        try {
            for (int i = 0; i < count; i++) {
                int length = b.getInt();
                b.get(hash);
                chunks.add(new Chunk(HEX.formatHex(hash), length));
            }
            return new ChunkList(total, chunks);
        } catch (CheckpointStoreException e) {
            throw CheckpointFormatDescriptor.corrupt(where, "holds a bad chunk list: " + e.getMessage());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", e);
        }
    }

    /** The SHA-256 of {@code bytes} in lower-case hex. */
    static String sha256(byte[] bytes, int offset, int length) {
        MessageDigest sha = sha256();
        sha.update(bytes, offset, length);
        return HEX.formatHex(sha.digest());
    }

    /** Walks consecutive stretches of a sequence of buffers, handing out views (no copies). */
    static final class Cursor {
        private final ByteBuffer[] parts;
        private int part;
        private int at;

        Cursor(ByteBuffer[] parts) {
            this.parts = parts;
            this.at = parts.length == 0 ? 0 : parts[0].position();
        }

        /** Views of the next {@code length} bytes, which may span several buffers. */
        ByteBuffer[] next(int length) {
            List<ByteBuffer> views = new ArrayList<>(2);
            int left = length;
            while (left > 0) {
                ByteBuffer p = parts[part];
                int n = Math.min(left, p.limit() - at);
                if (n > 0) {
                    views.add(p.duplicate().limit(at + n).position(at));
                    at += n;
                    left -= n;
                }
                if (at == p.limit() && part + 1 < parts.length) {
                    part++;
                    at = parts[part].position();
                } else if (n == 0) {
                    throw new IllegalStateException("asked for " + left + " bytes past the end");
                }
            }
            return views.toArray(ByteBuffer[]::new);
        }
    }
}
