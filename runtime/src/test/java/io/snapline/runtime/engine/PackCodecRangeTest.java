package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
