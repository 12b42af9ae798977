package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Packing and unpacking element ranges of a layout, as a device streaming a large message in chunks does. */
class PackCodecRangeTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);

    @Test
    void shouldMatchWholePackWhenLayoutIsPackedInChunksThatEndMidRun() {
        TypeMap layout = TypeMap.indexed(new int[] {3, 1, 4}, new int[] {0, 5, 7}, INT); // runs of 3, 1 and 4
        int items = 5;
        int n = items * layout.size();
        int[] src = new int[2 + items * layout.extent()];
        for (int i = 0; i < src.length; i++) {
            src[i] = i * 7 + 1;
        }
        ByteBuffer whole = ByteBuffer.allocate(n * 4);
        PackCodec.write(whole, src, 2, layout, n);
        ByteBuffer chunked = ByteBuffer.allocate(n * 4);
        int[] back = new int[src.length];
        for (int first = 0; first < n; first += 5) {
            int k = Math.min(5, n - first);
            PackCodec.writeRange(chunked.position(first * 4), src, 2, layout, first, k);
            PackCodec.readRange(whole.duplicate().position(first * 4).limit((first + k) * 4), back, 2, layout, first, k);
        }
        assertArrayEquals(whole.array(), chunked.array());
        int[] expected = new int[src.length];
        for (int k = 0; k < n; k++) {
            int at = layout.indexOf(2, k);
            expected[at] = src[at];
        }
        assertArrayEquals(expected, back);
    }

    @Test
    void shouldCopyByteRangesAtTheBufferPositionWhenLayoutsAreDenseOrNot() {
        byte[] src = new byte[40];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 11 + 3);
        }
        TypeMap dense = TypeMap.basic(BaseType.BYTE);
        TypeMap gapped = TypeMap.vector(4, 2, 3, dense); // bytes 0,1, 3,4, 6,7, 9,10
        for (TypeMap layout : new TypeMap[] {dense, TypeMap.contiguous(4, dense), gapped}) {
            ByteBuffer out = ByteBuffer.allocate(16);
            out.position(5);
            PackCodec.writeRange(out, src, 2, layout, 3, 6); // elements 3..8 of the layout at offset 2
            assertEquals(5, out.position(), "position left alone");
            byte[] expected = new byte[16];
            byte[] back = new byte[40];
            byte[] expectedBack = new byte[40];
            for (int k = 0; k < 6; k++) {
                int at = layout.indexOf(2, 3 + k);
                expected[5 + k] = src[at];
                expectedBack[at] = src[at];
            }
            assertArrayEquals(expected, out.array(), layout.toString());
            PackCodec.readRange(out, back, 2, layout, 3, 6);
            assertEquals(5, out.position(), "position left alone");
            assertArrayEquals(expectedBack, back, layout.toString());
        }
    }

    @Test
    void shouldMoveBytesBetweenArraysAndBuffersByIndexNotPosition() {
        byte[] src = {10, 11, 12, 13, 14, 15, 16, 17};
        TypeMap bytes = TypeMap.basic(BaseType.BYTE);
        ByteBuffer buffer = ByteBuffer.allocate(12);
        buffer.position(7);
        DataMover.copy(src, 2, bytes, buffer, 3, bytes, 5);
        assertArrayEquals(new byte[] {0, 0, 0, 12, 13, 14, 15, 16, 0, 0, 0, 0}, buffer.array());
        assertEquals(7, buffer.position());
        byte[] back = new byte[9];
        DataMover.copy(buffer, 4, bytes, back, 1, bytes, 3);
        assertArrayEquals(new byte[] {0, 13, 14, 15, 0, 0, 0, 0, 0}, back);
        assertEquals(7, buffer.position());
    }
}
