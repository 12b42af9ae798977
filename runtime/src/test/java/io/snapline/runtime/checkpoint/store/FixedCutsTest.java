package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixed-size path of incremental pieces: the stretches of a payload that hold large primitive arrays are cut at
 * fixed offsets from their first byte, the rest content-defined, and a piece so cut reads back bit for bit.
 */
class FixedCutsTest {
    /** Elements of the grid: 16 full chunks and 3 elements (24 bytes) more, not a multiple of the chunk size. */
    private static final int ELEMENTS = 16 * Chunker.FIXED / Double.BYTES + 3;

    @TempDir
    Path temp;

    private static double[] grid(long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] g = new double[ELEMENTS];
        for (int i = 0; i < g.length; i++) {
            g[i] = r.nextGaussian();
        }
        return g;
    }

    private static ByteBuffer bytesOf(double[] a) {
        ByteBuffer b = ByteBuffer.allocate(a.length * Double.BYTES).order(ByteOrder.nativeOrder());
        b.asDoubleBuffer().put(a);
        return b;
    }

    /** A payload: {@code head} bytes, the grid, {@code tail} bytes; with the stretch of the grid's bytes. */
    private record Payload(ByteBuffer[] parts, FixedCuts cuts, byte[] whole) {
        static Payload of(int head, double[] grid, int tail) {
            ByteBuffer h = ByteBuffer.wrap(ChunkerTest.random(7, head));
            ByteBuffer g = bytesOf(grid);
            ByteBuffer t = ByteBuffer.wrap(ChunkerTest.random(8, tail));
            byte[] whole = new byte[head + g.capacity() + tail];
            h.duplicate().get(whole, 0, head);
            g.duplicate().get(whole, head, g.capacity());
            t.duplicate().get(whole, head + g.capacity(), tail);
            return new Payload(new ByteBuffer[] {h, g, t},
                    new FixedCuts.Builder().add(head, g.capacity()).build(), whole);
        }
    }

    @Test
    void shouldCutAStretchAtFixedOffsetsFromItsFirstByteAndTheRestContentDefined() {
        Payload p = Payload.of(100_000, grid(1), 300_000);
        List<Integer> expected = new ArrayList<>(Chunker.lengths(ByteBuffer.wrap(p.whole(), 0, 100_000).slice()));
        for (int i = 0; i < 16; i++) {
            expected.add(Chunker.FIXED);
        }
        expected.add(3 * Double.BYTES);
        expected.addAll(Chunker.lengths(ByteBuffer.wrap(p.whole(), p.whole().length - 300_000, 300_000).slice()));

        assertEquals(expected, Chunker.lengths(p.cuts(), p.parts()));
        assertEquals(expected, Chunker.lengths(p.cuts(), ByteBuffer.wrap(p.whole())), "the same cuts, however the "
                + "payload is split into parts");
    }

    @Test
    void shouldCutStretchesThatTouchEachOtherOrTheEndsOfThePayload() {
        ByteBuffer all = ByteBuffer.wrap(ChunkerTest.random(9, 3 * Chunker.FIXED + 10));
        FixedCuts cuts = new FixedCuts.Builder().add(0, Chunker.FIXED + 1).add(Chunker.FIXED + 1, 2 * Chunker.FIXED + 9)
                .build();
        assertEquals(List.of(Chunker.FIXED, 1, Chunker.FIXED, Chunker.FIXED, 9), Chunker.lengths(cuts, all));
    }

    @Test
    void shouldRefuseStretchesOutOfOrderOrPastThePayload() {
        FixedCuts.Builder b = new FixedCuts.Builder().add(100, 50);
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> b.add(120, 10));
        assertEquals("a stretch of 10 bytes at 120 after one ending at 150; stretches are non-empty and in payload "
                + "order", overlap.getMessage());
        FixedCuts past = new FixedCuts.Builder().add(10, 100).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Chunker.lengths(past, ByteBuffer.allocate(109)));
        assertEquals("a stretch of 100 bytes at 10 ends past the 109 bytes of the payload", e.getMessage());
    }

    @Test
    void shouldWriteExactlyOneNewChunkWhenOneElementOfALargeArrayChanged() {
        double[] grid = grid(2);
        try (FileCheckpointStore store = new FileCheckpointStore(temp.resolve("store"), null, true)) {
            Payload first = Payload.of(40_000, grid, 50_000);
            PieceWrite w1 = store.writePieceCounted(CheckpointId.of(1), 0, first.cuts(), first.parts());
            store.commit(new Manifest(CheckpointId.of(1), 1, List.of(w1.piece())));

            grid[5 * Chunker.FIXED / Double.BYTES + 17] += 1e-9; // in the grid's sixth chunk
            Payload second = Payload.of(40_000, grid, 50_000);
            PieceWrite w2 = store.writePieceCounted(CheckpointId.of(2), 0, second.cuts(), second.parts());
            store.commit(new Manifest(CheckpointId.of(2), 1, List.of(w2.piece())));

            assertEquals(w2.piece().size() + Chunker.FIXED, w2.bytesWritten(), "the piece and one chunk");
            Set<String> before = hashes(first);
            List<String> fresh = hashes(second).stream().filter(h -> !before.contains(h)).toList();
            assertEquals(1, fresh.size(), fresh.toString());

            assertArrayEquals(first.whole(), store.readPiece(CheckpointId.of(1), w1.piece()));
            assertArrayEquals(second.whole(), store.readPiece(CheckpointId.of(2), w2.piece()));
        }
    }

    @Test
    void shouldReadBackBitForBitAPieceWithSeveralArraysAndSmallObjectsBetween() {
        double[] a = grid(3);
        a[0] = Double.longBitsToDouble(0x7ff8_dead_beef_0001L); // a NaN with a payload of its own
        a[1] = -0.0;
        long[] b = new long[40_000];
        for (int i = 0; i < b.length; i++) {
            b[i] = i * 0x9E3779B97F4A7C15L;
        }
        ByteBuffer ab = bytesOf(a);
        ByteBuffer bb = ByteBuffer.allocate(b.length * Long.BYTES).order(ByteOrder.nativeOrder());
        bb.asLongBuffer().put(b);
        ByteBuffer small = ByteBuffer.wrap(new byte[] {1, 2, 3});
        ByteBuffer[] parts = {small.duplicate(), ab, small.duplicate(), bb, small.duplicate()};
        FixedCuts cuts = new FixedCuts.Builder().add(3, ab.capacity()).add(6 + ab.capacity(), bb.capacity()).build();
        try (FileCheckpointStore store = new FileCheckpointStore(temp.resolve("store"), null, true)) {
            PieceWrite w = store.writePieceCounted(CheckpointId.of(1), 0, cuts, parts);
            store.commit(new Manifest(CheckpointId.of(1), 1, List.of(w.piece())));
            ByteBuffer read = ByteBuffer.wrap(store.readPiece(CheckpointId.of(1), w.piece()));

            assertEquals(9 + ab.capacity() + bb.capacity(), read.capacity());
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read.slice(0, 3));
            double[] a2 = new double[a.length];
            read.slice(3, ab.capacity()).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(a2);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(a2[i]), "element " + i);
            }
            long[] b2 = new long[b.length];
            read.slice(6 + ab.capacity(), bb.capacity()).order(ByteOrder.nativeOrder()).asLongBuffer().get(b2);
            assertArrayEquals(b, b2);
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read.slice(3 + ab.capacity(), 3));
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read.slice(read.capacity() - 3, 3));
            assertTrue(w.bytesWritten() > ab.capacity() + bb.capacity(), "every chunk is new: " + w);
        }
    }

    @Test
    void shouldNameTheDamagedChunkOfAGridAndTheCheckpointsThatUseItWhenOneOfItsBytesFlipped() throws Exception {
        double[] grid = grid(4);
        try (FileCheckpointStore store = new FileCheckpointStore(temp.resolve("store"), null, true)) {
            Payload first = Payload.of(1000, grid, 1000);
            PieceWrite w1 = store.writePieceCounted(CheckpointId.of(1), 0, first.cuts(), first.parts());
            store.commit(new Manifest(CheckpointId.of(1), 1, List.of(w1.piece())));
            grid[0] = 42; // the grid's first chunk changes, its third does not
            Payload second = Payload.of(1000, grid, 1000);
            PieceWrite w2 = store.writePieceCounted(CheckpointId.of(2), 0, second.cuts(), second.parts());
            store.commit(new Manifest(CheckpointId.of(2), 1, List.of(w2.piece())));

            String third = ChunkList.sha256(first.whole(), 1000 + 2 * Chunker.FIXED, Chunker.FIXED);
            Path chunk = temp.resolve("store").resolve("chunks").resolve(third.substring(0, 2)).resolve(third);
            byte[] bytes = java.nio.file.Files.readAllBytes(chunk);
            assertEquals(Chunker.FIXED, bytes.length);
            bytes[100] ^= 1;
            java.nio.file.Files.write(chunk, bytes);

            for (long id = 1; id <= 2; id++) {
                PieceRef piece = (id == 1 ? w1 : w2).piece();
                CheckpointId checkpoint = CheckpointId.of(id);
                CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                        () -> store.readPiece(checkpoint, piece));
                assertTrue(e.getMessage().contains("chunk " + chunk + " of ") && e.getMessage().contains(
                        "rank-00000.piece does not match its SHA-256 (damaged)"), e.getMessage());
            }
        }
    }

    private static Set<String> hashes(Payload p) {
        Set<String> all = new HashSet<>();
        ChunkList.of(p.cuts(), p.parts()).chunks().forEach(c -> all.add(c.hash()));
        return all;
    }
}
