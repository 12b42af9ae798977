package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.CheckpointException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {
    @Test
    void shouldGiveBackEveryByteForEachCodecAndSize() {
        Random random = new Random(5);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            for (int size : new int[] {0, 1, 15, 16, 17, 4099, Compression.BLOCK, Compression.BLOCK + 13,
                2 * Compression.BLOCK + 100_003}) {
                byte[] data = new byte[size];
                for (int i = 0; i < size; i++) {
                    data[i] = (byte) (random.nextInt(4) + (i % 97 == 0 ? random.nextInt() : 0)); // compressible
                }
                ByteBuffer in = ByteBuffer.wrap(data);
                ByteBuffer packed = c.compress(in);
                assertEquals(0, in.position(), "the input's position is left alone");
                assertArrayEquals(data, bytes(Compression.decompress(packed, "test")), c + " " + size);
            }
            byte[] noise = new byte[3 * Compression.BLOCK / 2];
            random.nextBytes(noise);
            assertArrayEquals(noise, bytes(Compression.decompress(c.compress(ByteBuffer.wrap(noise)), "test")));
        }
    }

    @Test
    void shouldShuffleTheBytesOfASmoothDoubleGridAndCompressItBetterSo() {
        int n = 1 << 19; // 4 MiB of doubles, a smooth field as a stencil leaves it
        ByteBuffer grid = ByteBuffer.allocate(8 * n);
        for (int i = 0; i < n; i++) {
            grid.putDouble(Math.sin(i * 1e-4) * 300 + 20);
        }
        grid.flip();
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            ByteBuffer packed = c.compress(grid);
            assertEquals(1, packed.get(17) & 1, c + ": the block is stored shuffled");
            assertTrue(packed.remaining() < 0.8 * grid.remaining(), c + " compressed " + grid.remaining() + " to "
                    + packed.remaining());
            assertArrayEquals(bytes(grid), bytes(Compression.decompress(packed, "grid")));
        }
    }

    @Test
    void shouldShuffleEveryBlockOrNoneWhenToldAndGiveBackEveryByteEitherWay() {
        byte[] data = new byte[Compression.BLOCK + 4099];
        new Random(7).nextBytes(data);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            for (Compression.Shuffle s : new Compression.Shuffle[] {Compression.Shuffle.ALWAYS,
                Compression.Shuffle.NEVER}) {
                ByteBuffer packed = c.compress(ByteBuffer.wrap(data), s);
                int flag = s == Compression.Shuffle.ALWAYS ? 1 : 0;
                assertEquals(flag, packed.get(17) & 1, c + " " + s + ": the first block's flag");
                int second = 17 + 13 + packed.getInt(17 + 9);
                assertEquals(flag, packed.get(second) & 1, c + " " + s + ": the second block's flag");
                assertArrayEquals(data, bytes(Compression.decompress(packed, "test")), c + " " + s);
            }
        }
    }

    @Test
    void shouldSayWhatIsWrongWithDamagedOrForeignData() {
        byte[] data = new byte[100_000];
        java.util.Arrays.fill(data, (byte) 7);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            byte[] packed = bytes(c.compress(ByteBuffer.wrap(data)));
            byte[] cut = java.util.Arrays.copyOf(packed, packed.length - 3);
            assertMessage(cut, "rank 1's state: ");
            byte[] damaged = packed.clone();
            damaged[damaged.length - 2] ^= 0x55;
            damaged[damaged.length - 5] ^= 0x55;
            assertMessage(damaged, "rank 1's state: ");
        }
        assertMessage(new byte[40], "rank 1's state: compressed checkpoint data that does not start as such");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compression.parse("gzip"));
        assertEquals("--compress takes none, lz4 or zstd, got 'gzip'", e.getMessage());
        assertEquals(Compression.ZSTD, Compression.parse("zstd"));
    }

    private static void assertMessage(byte[] bytes, String start) {
        try {
            byte[] out = bytes(Compression.decompress(ByteBuffer.wrap(bytes), "rank 1's state"));
            throw new AssertionError("damaged data decompressed to " + out.length + " bytes");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage().startsWith(start), e.getMessage());
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
