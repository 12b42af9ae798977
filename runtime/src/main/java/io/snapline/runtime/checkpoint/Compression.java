package io.snapline.runtime.checkpoint;

import com.github.luben.zstd.Zstd;
import io.snapline.checkpoint.CheckpointException;
import java.nio.ByteBuffer;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * How checkpoint data is compressed ({@code --compress}): not at all, with LZ4 (fast) or with Zstandard (smaller).
 * Data is cut into blocks of {@link #BLOCK} bytes, each compressed on its own; a block whose bytes are mostly arrays of
 * 8-byte primitives (a {@code double[]} grid) compresses far better with its bytes shuffled first (byte 0 of every
 * element, then byte 1, ..., as Blosc does), so each block is tried both ways on a sample and stored the way that came
 * out smaller, with a flag saying which.
 *
 * <p>Compressed form: magic {@code SLCZ}, codec (1 byte), uncompressed length (8 bytes), block count (4 bytes), then
 * per block: flags (1 byte; bit 0: shuffled), uncompressed length (4 bytes), the CRC32C of the uncompressed bytes,
 * compressed length (4 bytes) and the compressed bytes. Big-endian. A block is checked against its CRC32C when it is
 * decompressed: a decompressor given damaged data may give other bytes without noticing.
 */
public enum Compression {
    NONE(0),
    LZ4(1),
    ZSTD(2);

    /** Bytes compressed as one unit. */
    public static final int BLOCK = 4 << 20;
    private static final int MAGIC = 0x534c435a; // "SLCZ"
    private static final int SAMPLE = 64 << 10;
    private static final int WIDTH = 8;
    private static final int ZSTD_LEVEL = 3;
    private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();

    private final int code;

    Compression(int code) {
        this.code = code;
    }

    /**
     * The compression {@code --compress} names ({@code none}, {@code lz4} or {@code zstd}).
     *
     * @throws IllegalArgumentException naming the choices for any other value
     */
    public static Compression parse(String name) {
        for (Compression c : values()) {
            if (c.name().toLowerCase(Locale.ROOT).equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("--compress takes none, lz4 or zstd, got '" + name + "'");
    }

    /** The flag's value for this compression. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@link #compress(ByteBuffer, Shuffle)} shuffles a block's bytes before compressing it. */
    public enum Shuffle {
        /** When a sample of the block compresses smaller shuffled: what checkpoints use. */
        AUTO,
        /** Every block of at least two 8-byte elements. */
        ALWAYS,
        /** No block. */
        NEVER
    }

    /**
     * {@code data}'s remaining bytes compressed (its position is left alone), each block shuffled when that pays
     * ({@link Shuffle#AUTO}). Not for {@link #NONE}.
     */
    public ByteBuffer compress(ByteBuffer data) {
        return compress(data, Shuffle.AUTO);
    }

    /**
     * {@code data}'s remaining bytes compressed with the blocks shuffled as {@code shuffle} says; the form is the same
     * whichever it is ({@link #decompress} reads each block's flag). Not for {@link #NONE}.
     */
    public ByteBuffer compress(ByteBuffer data, Shuffle shuffle) {
        if (this == NONE) {
            throw new IllegalStateException("NONE does not compress");
        }
        ByteBuffer in = data.duplicate();
        int length = in.remaining();
        int blocks = Math.max(1, (length + BLOCK - 1) / BLOCK);
        ByteBuffer out = ByteBuffer.allocate(17 + blocks * 13 + bound(length, blocks));
        out.putInt(MAGIC).put((byte) code).putLong(length).putInt(blocks);
        byte[] block = new byte[Math.min(BLOCK, length)];
        byte[] shuffled = new byte[block.length];
        for (int b = 0; b < blocks; b++) {
            int n = Math.min(BLOCK, in.remaining());
            in.get(block, 0, n);
            boolean shuffles = n >= 2 * WIDTH && (shuffle == Shuffle.ALWAYS
                    || shuffle == Shuffle.AUTO && shufflePays(block, n, shuffled));
            byte[] source = block;
            if (shuffles) {
                shuffle(block, n, shuffled);
                source = shuffled;
            }
            int at = out.position();
            out.put((byte) (shuffles ? 1 : 0)).putInt(n).putInt(crc32c(block, n)).putInt(0);
            int written = compressInto(source, n, out);
            out.putInt(at + 9, written);
        }
        return out.flip();
    }

    /** The bound on all blocks' compressed bytes. */
    private int bound(int length, int blocks) {
        long b = this == LZ4 ? LZ4_FACTORY.fastCompressor().maxCompressedLength(length) + 64L * blocks
                : Zstd.compressBound(length) + 64L * blocks;
        if (b > Integer.MAX_VALUE - 64) {
            throw new CheckpointException("checkpoint data of " + length + " bytes is too large to compress in one "
                    + "piece");
        }
        return (int) b;
    }

    /** Compresses {@code source[0, n)} at {@code out}'s position, advancing it; returns the bytes written. */
    private int compressInto(byte[] source, int n, ByteBuffer out) {
        int at = out.position();
        int written;
        if (this == LZ4) {
            LZ4Compressor c = LZ4_FACTORY.fastCompressor();
            written = c.compress(source, 0, n, out.array(), out.arrayOffset() + at, out.remaining());
        } else {
            long w = Zstd.compressByteArray(out.array(), out.arrayOffset() + at, out.remaining(), source, 0, n,
                    ZSTD_LEVEL);
            if (Zstd.isError(w)) {
                throw new CheckpointException("Zstandard could not compress checkpoint data: " + Zstd.getErrorName(w));
            }
            written = (int) w;
        }
        out.position(at + written);
        return written;
    }

    /** Whether a sample of {@code block} compresses smaller shuffled than as it is. */
    private boolean shufflePays(byte[] block, int n, byte[] scratch) {
        int s = Math.min(SAMPLE, n) / WIDTH * WIDTH;
        byte[] sample = java.util.Arrays.copyOf(block, s);
        byte[] shuffled = new byte[s];
        shuffle(sample, s, shuffled);
        ByteBuffer plain = ByteBuffer.allocate(bound(s, 1));
        int asIs = compressInto(sample, s, plain);
        ByteBuffer other = ByteBuffer.allocate(bound(s, 1));
        int byShuffle = compressInto(shuffled, s, other);
        return byShuffle < asIs - asIs / 50;
    }

    /** Byte {@code j} of element {@code i} goes to {@code j * elements + i}; a tail shorter than an element stays. */
    static void shuffle(byte[] in, int n, byte[] out) {
        int elements = n / WIDTH;
        for (int i = 0; i < elements; i++) {
            int from = i * WIDTH;
            for (int j = 0; j < WIDTH; j++) {
                out[j * elements + i] = in[from + j];
            }
        }
        System.arraycopy(in, elements * WIDTH, out, elements * WIDTH, n - elements * WIDTH);
    }

    private static int crc32c(byte[] data, int n) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data, 0, n);
        return (int) crc.getValue();
    }

    static void unshuffle(byte[] in, int n, byte[] out) {
        int elements = n / WIDTH;
        for (int i = 0; i < elements; i++) {
            int to = i * WIDTH;
            for (int j = 0; j < WIDTH; j++) {
                out[to + j] = in[j * elements + i];
            }
        }
        System.arraycopy(in, elements * WIDTH, out, elements * WIDTH, n - elements * WIDTH);
    }

    /**
     * The data {@link #compress} compressed into {@code compressed}'s remaining bytes.
     *
     * @throws CheckpointException saying what is wrong when they are not such data, or are damaged
     */
    public static ByteBuffer decompress(ByteBuffer compressed, String where) {
        ByteBuffer in = compressed.duplicate();
        if (!in.hasArray()) { // a direct or read-only buffer: the codecs here read arrays
            byte[] copy = new byte[in.remaining()];
            in.get(copy);
            in = ByteBuffer.wrap(copy);
        }
        try {
            if (in.remaining() < 17 || in.getInt() != MAGIC) {
                throw new CheckpointException(where + ": compressed checkpoint data that does not start as such");
            }
            int code = in.get();
            Compression c = code == LZ4.code ? LZ4 : code == ZSTD.code ? ZSTD : null;
            if (c == null) {
                throw new CheckpointException(where + ": compressed with an unknown codec (" + code + ")");
            }
            long length = in.getLong();
            int blocks = in.getInt();
            if (length < 0 || length > Integer.MAX_VALUE - 8 || blocks < 1
                    || blocks != Math.max(1, (length + BLOCK - 1) / BLOCK)) {
                throw new CheckpointException(where + ": compressed data of " + length + " bytes in " + blocks
                        + " blocks does not hold together");
            }
            byte[] out = new byte[(int) length];
            byte[] scratch = new byte[(int) Math.min(BLOCK, length)];
            int done = 0;
            for (int b = 0; b < blocks; b++) {
                boolean shuffled = (in.get() & 1) != 0;
                int n = in.getInt();
                int crc = in.getInt();
                int size = in.getInt();
                if (n < 0 || n > BLOCK || done + (long) n > length || size < 0 || size > in.remaining()) {
                    throw new CheckpointException(where + ": block " + (b + 1) + " of the compressed data is damaged");
                }
                byte[] target = shuffled ? scratch : out;
                int at = shuffled ? 0 : done;
                c.decompressInto(in.array(), in.arrayOffset() + in.position(), size, target, at, n, where, b);
                if (shuffled) {
                    byte[] plain = new byte[n];
                    unshuffle(scratch, n, plain);
                    System.arraycopy(plain, 0, out, done, n);
                }
                java.util.zip.CRC32C check = new java.util.zip.CRC32C();
                check.update(out, done, n);
                if ((int) check.getValue() != crc) {
                    throw new CheckpointException(where + ": block " + (b + 1) + " of the compressed data is damaged "
                            + "(its checksum does not match)");
                }
                in.position(in.position() + size);
                done += n;
            }
            if (done != length || in.hasRemaining()) {
                throw new CheckpointException(where + ": the compressed data ends " + (in.hasRemaining()
                        ? "with " + in.remaining() + " unexpected bytes" : "early"));
            }
            return ByteBuffer.wrap(out);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CheckpointException(where + ": the compressed data ends early", e);
        }
    }

    private void decompressInto(byte[] src, int offset, int size, byte[] dst, int at, int n, String where, int block) {
        try {
            if (this == LZ4) {
                int got = LZ4_FACTORY.safeDecompressor().decompress(src, offset, size, dst, at, n);
                if (got != n) {
                    throw new CheckpointException(where + ": block " + (block + 1) + " of the compressed data is "
                            + "damaged (LZ4 gave " + got + " bytes instead of " + n + ")");
                }
            } else {
                long w = Zstd.decompressByteArray(dst, at, n, src, offset, size);
                if (Zstd.isError(w) || w != n) {
                    throw new CheckpointException(where + ": block " + (block + 1) + " of the compressed data is "
                            + "damaged (" + (Zstd.isError(w) ? Zstd.getErrorName(w) : w + " bytes instead of " + n)
                            + ")");
                }
            }
        } catch (net.jpountz.lz4.LZ4Exception | com.github.luben.zstd.ZstdException e) {
            throw new CheckpointException(where + ": block " + (block + 1) + " of the compressed data is damaged ("
                    + e.getMessage() + ")", e);
        }
    }
}
