package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The packed byte format: little-endian, dense, in type-map order, with clear errors at the edges. */
class PackCodecTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);

    @Test
    void shouldWriteLittleEndianWhenPackingInts() {
        byte[] out = new byte[8];
        int end = PackCodec.pack(null, new int[] {0x01020304, -1}, 0, 2, INT, out, 0, out.length);
        assertEquals(8, end);
        assertArrayEquals(new byte[] {4, 3, 2, 1, -1, -1, -1, -1}, out);
    }

    @Test
    void shouldRoundTripEveryPrimitiveType() {
        byte[] out = new byte[200];
        int p = 0;
        p = PackCodec.pack(null, new byte[] {-7, 8}, 0, 2, TypeMap.basic(BaseType.BYTE), out, p, out.length);
        p = PackCodec.pack(null, new boolean[] {true, false, true}, 0, 3, TypeMap.basic(BaseType.BOOLEAN), out, p, out.length);
        p = PackCodec.pack(null, new char[] {'x', '\u20ac'}, 0, 2, TypeMap.basic(BaseType.CHAR), out, p, out.length);
        p = PackCodec.pack(null, new short[] {-300}, 0, 1, TypeMap.basic(BaseType.SHORT), out, p, out.length);
        p = PackCodec.pack(null, new long[] {Long.MIN_VALUE + 5}, 0, 1, TypeMap.basic(BaseType.LONG), out, p, out.length);
        p = PackCodec.pack(null, new float[] {1.5f, Float.NaN}, 0, 2, TypeMap.basic(BaseType.FLOAT), out, p, out.length);
        p = PackCodec.pack(null, new double[] {Math.PI}, 0, 1, TypeMap.basic(BaseType.DOUBLE), out, p, out.length);
        assertEquals(2 + 3 + 4 + 2 + 8 + 8 + 8, p);

        byte[] b = new byte[2];
        boolean[] z = new boolean[3];
        char[] c = new char[2];
        short[] s = new short[1];
        long[] l = new long[1];
        float[] f = new float[2];
        double[] d = new double[1];
        int q = 0;
        q = PackCodec.unpack(null, out, q, p, b, 0, 2, TypeMap.basic(BaseType.BYTE));
        q = PackCodec.unpack(null, out, q, p, z, 0, 3, TypeMap.basic(BaseType.BOOLEAN));
        q = PackCodec.unpack(null, out, q, p, c, 0, 2, TypeMap.basic(BaseType.CHAR));
        q = PackCodec.unpack(null, out, q, p, s, 0, 1, TypeMap.basic(BaseType.SHORT));
        q = PackCodec.unpack(null, out, q, p, l, 0, 1, TypeMap.basic(BaseType.LONG));
        q = PackCodec.unpack(null, out, q, p, f, 0, 2, TypeMap.basic(BaseType.FLOAT));
        q = PackCodec.unpack(null, out, q, p, d, 0, 1, TypeMap.basic(BaseType.DOUBLE));
        assertEquals(p, q);
        assertArrayEquals(new byte[] {-7, 8}, b);
        assertArrayEquals(new boolean[] {true, false, true}, z);
        assertArrayEquals(new char[] {'x', '\u20ac'}, c);
        assertArrayEquals(new short[] {-300}, s);
        assertArrayEquals(new long[] {Long.MIN_VALUE + 5}, l);
        assertEquals(1.5f, f[0]);
        assertTrue(Float.isNaN(f[1]));
        assertEquals(Math.PI, d[0]);
    }

    @Test
    void shouldPackInTypeMapOrderWhenLayoutIsStrided() {
        int[] matrix = new int[32];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = i;
        }
        TypeMap column = TypeMap.vector(4, 1, 4, INT); // extent 13: the second item starts at index 13
        byte[] out = new byte[32];
        assertEquals(32, PackCodec.pack(null, matrix, 1, 2, column, out, 0, out.length));
        int[] dense = new int[8];
        PackCodec.unpack(null, out, 0, out.length, dense, 0, 8, INT);
        assertArrayEquals(new int[] {1, 5, 9, 13, 14, 18, 22, 26}, dense);
        int[] back = new int[32];
        assertEquals(32, PackCodec.unpack(null, out, 0, out.length, back, 1, 2, column));
        for (int i = 0; i < 32; i++) {
            boolean inColumn = i == 1 || i == 5 || i == 9 || i == 13 || i == 14 || i == 18 || i == 22 || i == 26;
            assertEquals(inColumn ? i : 0, back[i], "index " + i);
        }
    }

    @Test
    void shouldFailWhenOutputTooSmall() {
        EngineException e = assertThrows(EngineException.class,
                () -> PackCodec.pack(null, new int[4], 0, 4, INT, new byte[20], 8, 20));
        assertTrue(e.getMessage().contains("packing needs 16 bytes at position 8 but only 12 of its 20 bytes are left"),
                e.getMessage());
    }

    @Test
    void shouldFailWhenPositionPastEnd() {
        EngineException e = assertThrows(EngineException.class,
                () -> PackCodec.pack(null, new int[1], 0, 1, INT, new byte[8], 9, 8));
        assertTrue(e.getMessage().contains("position 9 is outside the 8-byte output buffer"), e.getMessage());
    }

    @Test
    void shouldFailWhenInputTruncated() {
        EngineException e = assertThrows(EngineException.class,
                () -> PackCodec.unpack(null, new byte[10], 4, 10, new long[1], 0, 1, TypeMap.basic(BaseType.LONG)));
        assertTrue(e.getMessage().contains("truncated input"), e.getMessage());
        assertTrue(e.getMessage().contains("8 bytes at position 4 but only 6 of the 10 input bytes remain"), e.getMessage());
    }

    @Test
    void shouldReadFromByteBufferRegion() {
        ByteBuffer region = ByteBuffer.allocateDirect(64);
        region.position(16);
        ByteBuffer slice = region.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        PackCodec.write(slice, new double[] {1, 2, 3, 4}, 1, TypeMap.vector(2, 1, 2, TypeMap.basic(BaseType.DOUBLE)), 2);
        double[] got = new double[2];
        DataMover.copy(slice, 0, TypeMap.basic(BaseType.DOUBLE), got, 0, TypeMap.basic(BaseType.DOUBLE), 2);
        assertArrayEquals(new double[] {2, 4}, got);
        assertEquals(0, slice.position(), "the region's position is left alone");
    }
}
