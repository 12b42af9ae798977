package io.snapline.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The packed byte form of typed data, used by {@code Pack}/{@code Unpack} and by buffered sends. Elements are
 * written densely in type-map order, little-endian, with no type tags:
 *
 * <pre>
 *   BYTE, PACKED        1 byte each
 *   BOOLEAN             1 byte each (0 or 1)
 *   CHAR, SHORT         2 bytes each
 *   INT, FLOAT          4 bytes each (FLOAT as its IEEE 754 bits)
 *   LONG, DOUBLE        8 bytes each
 *   OBJECT              +--------------------+---------------------------+
 *   (n elements as one  | length L (int32 LE)| L bytes from ObjectCodec  |
 *    object graph)      +--------------------+---------------------------+
 * </pre>
 *
 * Copies move whole runs of the type map with bulk {@link java.nio.Buffer} views, so packing a contiguous
 * {@code double[]} is one bulk put. Methods never change the position or limit of a caller's buffer.
 *
 * <p>A buffer may also be a {@link ByteBuffer} (see {@link #elements}): element {@code i} of it lies at byte
 * {@code i * byteSize} from index 0, in the buffer's own {@linkplain ByteBuffer#order() byte order}, whatever its
 * position. Its layouts are contiguous (checked by {@link TypeMap#checkBuffer}).
 */
public final class PackCodec {
    /** Bytes of the length prefix in front of serialized objects. */
    public static final int OBJECT_HEADER = 4;

    private PackCodec() {
    }

    /**
     * Bytes that {@code count} items of {@code type} occupy packed, or -1 when that depends on the data
     * ({@link BaseType#OBJECT}).
     */
    public static long packedSize(int count, TypeMap type) {
        BaseType base = type.base();
        if (base == null) {
            return 0;
        }
        if (base == BaseType.OBJECT) {
            return -1;
        }
        return (long) count * type.size() * base.byteSize();
    }

    /**
     * Packs {@code count} items of {@code type} from {@code src} into {@code out} starting at byte {@code position},
     * writing no further than byte {@code limit}; returns the position after the last byte written.
     *
     * @throws EngineException when the output region is too small or the position lies outside it
     */
    public static int pack(Endpoint ep, Object src, int offset, int count, TypeMap type, byte[] out, int position,
            int limit) {
        checkPosition("output", position, limit);
        int n = count * type.size();
        if (n == 0) {
            return position;
        }
        if (type.base() == BaseType.OBJECT) {
            byte[] encoded = ep.codec().encode((Object[]) src, offset, type, n);
            long need = (long) OBJECT_HEADER + encoded.length;
            requireRoom("Pack", need, position, limit, " (the objects serialize to " + encoded.length + " bytes)");
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(position, encoded.length);
            System.arraycopy(encoded, 0, out, position + OBJECT_HEADER, encoded.length);
            return (int) (position + need);
        }
        long need = packedSize(count, type);
        requireRoom("Pack", need, position, limit, "; size the buffer with Pack_size");
        write(ByteBuffer.wrap(out, position, (int) need), src, offset, type, n);
        return (int) (position + need);
    }

    /**
     * Unpacks {@code count} items of {@code type} into {@code dst} from the bytes of {@code in} between
     * {@code position} and {@code limit}; returns the position after the last byte read.
     *
     * @throws EngineException when the input ends before the data does (truncated input)
     */
    public static int unpack(Endpoint ep, byte[] in, int position, int limit, Object dst, int offset, int count,
            TypeMap type) {
        checkPosition("input", position, limit);
        int n = count * type.size();
        if (n == 0) {
            return position;
        }
        if (type.base() == BaseType.OBJECT) {
            requireData(OBJECT_HEADER, position, limit, "the length of the serialized objects");
            int length = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getInt(position);
            if (length < 0) {
                throw new EngineException("Unpack: the bytes at position " + position + " do not hold packed objects"
                        + " (length prefix " + length + "); unpack with the same datatypes, in the same order, as packed");
            }
            requireData((long) OBJECT_HEADER + length, position, limit, length + " bytes of serialized objects");
            int from = position + OBJECT_HEADER;
            byte[] encoded = java.util.Arrays.copyOfRange(in, from, from + length);
            ep.codec().decode(encoded, (Object[]) dst, offset, type, n);
            return from + length;
        }
        long need = packedSize(count, type);
        requireData(need, position, limit, count + " item(s) of " + (type.isContiguous() && type.size() == 1 ? type.base()
                : "a datatype of " + type.size() + " " + type.base() + " element(s)"));
        read(ByteBuffer.wrap(in, position, (int) need), dst, offset, type, n);
        return (int) (position + need);
    }

    /**
     * Writes the first {@code n} base elements of the layout densely into {@code out}, from its position on.
     * {@code out} must have room; its own position is left unchanged.
     */
    public static void write(ByteBuffer out, Object src, int offset, TypeMap type, int n) {
        writeRange(out, src, offset, type, 0, n);
    }

    /**
     * Writes base elements {@code [first, first + n)} of the layout densely into {@code out}, from its position on
     * (a device streaming a large message in chunks). {@code out} must have room; its position is left unchanged.
     */
    public static void writeRange(ByteBuffer out, Object src, int offset, TypeMap type, long first, int n) {
        if (src instanceof byte[] && type.isContiguous()) { // BYTE or PACKED: one bulk copy, nothing allocated
            out.put(out.position(), (byte[]) src, Math.toIntExact(offset + first), n);
            return;
        }
        if (src instanceof ByteBuffer) {
            BaseType base = type.base();
            copyElements(elements((ByteBuffer) src, base, offset + first, n),
                    out.slice(out.position(), n * base.byteSize()).order(ByteOrder.LITTLE_ENDIAN), base);
            return;
        }
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        Runs runs = new Runs(type, offset, first);
        switch (type.base()) {
            case BYTE, PACKED -> runs.forEach(n, (start, len) -> b.put((byte[]) src, start, len));
            case BOOLEAN -> {
                boolean[] a = (boolean[]) src;
                runs.forEach(n, (start, len) -> {
                    for (int i = start; i < start + len; i++) {
                        b.put(a[i] ? (byte) 1 : (byte) 0);
                    }
                });
            }
            case CHAR -> {
                java.nio.CharBuffer v = b.asCharBuffer();
                runs.forEach(n, (start, len) -> v.put((char[]) src, start, len));
            }
            case SHORT -> {
                java.nio.ShortBuffer v = b.asShortBuffer();
                runs.forEach(n, (start, len) -> v.put((short[]) src, start, len));
            }
            case INT -> {
                java.nio.IntBuffer v = b.asIntBuffer();
                runs.forEach(n, (start, len) -> v.put((int[]) src, start, len));
            }
            case LONG -> {
                java.nio.LongBuffer v = b.asLongBuffer();
                runs.forEach(n, (start, len) -> v.put((long[]) src, start, len));
            }
            case FLOAT -> {
                java.nio.FloatBuffer v = b.asFloatBuffer();
                runs.forEach(n, (start, len) -> v.put((float[]) src, start, len));
            }
            case DOUBLE -> {
                java.nio.DoubleBuffer v = b.asDoubleBuffer();
                runs.forEach(n, (start, len) -> v.put((double[]) src, start, len));
            }
            default -> throw new EngineException("cannot pack elements of type " + type.base() + " as bytes");
        }
    }

    /** Reads {@code n} densely packed base elements from {@code in}'s position on into the layout of {@code dst}. */
    public static void read(ByteBuffer in, Object dst, int offset, TypeMap type, int n) {
        readRange(in, dst, offset, type, 0, n);
    }

    /**
     * Reads {@code n} densely packed base elements from {@code in}'s position on into elements
     * {@code [first, first + n)} of the layout of {@code dst} (a device receiving a large message in chunks).
     */
    public static void readRange(ByteBuffer in, Object dst, int offset, TypeMap type, long first, int n) {
        if (dst instanceof byte[] && type.isContiguous()) { // BYTE or PACKED: one bulk copy, nothing allocated
            in.get(in.position(), (byte[]) dst, Math.toIntExact(offset + first), n);
            return;
        }
        if (dst instanceof ByteBuffer) {
            BaseType base = type.base();
            copyElements(in.slice(in.position(), n * base.byteSize()).order(ByteOrder.LITTLE_ENDIAN),
                    elements((ByteBuffer) dst, base, offset + first, n), base);
            return;
        }
        ByteBuffer b = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        Runs runs = new Runs(type, offset, first);
        switch (type.base()) {
            case BYTE, PACKED -> runs.forEach(n, (start, len) -> b.get((byte[]) dst, start, len));
            case BOOLEAN -> {
                boolean[] a = (boolean[]) dst;
                runs.forEach(n, (start, len) -> {
                    for (int i = start; i < start + len; i++) {
                        a[i] = b.get() != 0;
                    }
                });
            }
            case CHAR -> {
                java.nio.CharBuffer v = b.asCharBuffer();
                runs.forEach(n, (start, len) -> v.get((char[]) dst, start, len));
            }
            case SHORT -> {
                java.nio.ShortBuffer v = b.asShortBuffer();
                runs.forEach(n, (start, len) -> v.get((short[]) dst, start, len));
            }
            case INT -> {
                java.nio.IntBuffer v = b.asIntBuffer();
                runs.forEach(n, (start, len) -> v.get((int[]) dst, start, len));
            }
            case LONG -> {
                java.nio.LongBuffer v = b.asLongBuffer();
                runs.forEach(n, (start, len) -> v.get((long[]) dst, start, len));
            }
            case FLOAT -> {
                java.nio.FloatBuffer v = b.asFloatBuffer();
                runs.forEach(n, (start, len) -> v.get((float[]) dst, start, len));
            }
            case DOUBLE -> {
                java.nio.DoubleBuffer v = b.asDoubleBuffer();
                runs.forEach(n, (start, len) -> v.get((double[]) dst, start, len));
            }
            default -> throw new EngineException("cannot unpack elements of type " + type.base() + " from bytes");
        }
    }

    /**
     * Elements {@code [index, index + n)} of a buffer that is a {@link ByteBuffer}: an independent slice of their
     * bytes, in the buffer's byte order, whatever the buffer's position.
     */
    public static ByteBuffer elements(ByteBuffer buffer, BaseType base, long index, int n) {
        int size = base.byteSize();
        return buffer.slice(Math.toIntExact(index * size), n * size).order(buffer.order());
    }

    /** Whether the elements of {@code b} are in packed form (little-endian, or single bytes). */
    public static boolean isPacked(ByteBuffer b, BaseType base) {
        return base.byteSize() <= 1 || b.order() == ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * Copies the elements of {@code src} into {@code dst}, both slices of the same element count starting at their
     * position: one bulk copy when the byte orders agree (or elements are single bytes), else element by element
     * through typed views, which convert.
     */
    public static void copyElements(ByteBuffer src, ByteBuffer dst, BaseType base) {
        if (base.byteSize() <= 1 || src.order() == dst.order()) {
            dst.duplicate().put(src.duplicate());
            return;
        }
        switch (base) {
            case CHAR -> dst.asCharBuffer().put(src.asCharBuffer());
            case SHORT -> dst.asShortBuffer().put(src.asShortBuffer());
            case INT -> dst.asIntBuffer().put(src.asIntBuffer());
            case LONG -> dst.asLongBuffer().put(src.asLongBuffer());
            case FLOAT -> dst.asFloatBuffer().put(src.asFloatBuffer());
            case DOUBLE -> dst.asDoubleBuffer().put(src.asDoubleBuffer());
            default -> throw new EngineException("cannot copy elements of type " + base + " between byte buffers");
        }
    }

    private static void checkPosition(String which, int position, int limit) {
        if (position < 0 || position > limit) {
            throw new EngineException("position " + position + " is outside the " + limit + "-byte " + which
                    + " buffer (valid: 0.." + limit + ")");
        }
    }

    private static void requireRoom(String op, long need, int position, int limit, String hint) {
        if (need > limit - position) {
            throw new EngineException("the output buffer is too small: packing needs " + need + " bytes at position "
                    + position + " but only " + (limit - position) + " of its " + limit + " bytes are left" + hint);
        }
    }

    private static void requireData(long need, int position, int limit, String what) {
        if (need > limit - position) {
            throw new EngineException("truncated input: " + what + " need(s) " + need + " bytes at position " + position
                    + " but only " + (limit - position) + " of the " + limit + " input bytes remain; unpack with the"
                    + " same datatypes and counts as packed, from the position Pack returned");
        }
    }

    /** Walks the runs of a layout's elements {@code [first, first + n)} as (start index, length) pairs. */
    private static final class Runs {
        private final TypeMap type;
        private final int offset;
        private final long first;

        Runs(TypeMap type, int offset, long first) {
            this.type = type;
            this.offset = offset;
            this.first = first;
        }

        void forEach(int n, RunAction action) {
            if (type.isContiguous()) {
                action.run(Math.toIntExact(offset + first), n);
                return;
            }
            int[] start = type.runStarts();
            int[] length = type.runLengths();
            int extent = type.extent();
            int size = type.size();
            int base = Math.toIntExact(offset + (first / size) * extent);
            int skip = (int) (first % size);
            int r = 0;
            while (skip >= length[r]) {
                skip -= length[r];
                r++;
            }
            while (n > 0) {
                for (; r < start.length && n > 0; r++) {
                    int k = Math.min(n, length[r] - skip);
                    action.run(base + start[r] + skip, k);
                    n -= k;
                    skip = 0;
                }
                r = 0;
                base += extent;
            }
        }
    }

    @FunctionalInterface
    private interface RunAction {
        void run(int start, int length);
    }
}
