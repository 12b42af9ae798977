package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk store's contract: garbage collection never deletes a chunk that a retained checkpoint or a writer under
 * way uses (the interleavings of a writer's and a collection's steps are played one by one), damage is detected and the
 * fallback skips every checkpoint that uses a damaged chunk, and a crash after any step of a write or a collection loses
 * nothing committed.
 */
class ChunkStoreTest {

    @TempDir
    Path temp;

    private FileCheckpointStore store;

    private Path root() {
        return temp.resolve("store");
    }

    @BeforeEach
    void open() {
        store = new FileCheckpointStore(root(), null, true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A state of about 1 MiB: generation {@code g} rewrites a tenth of generation 0, at a place of its own. */
    private static byte[] state(int rank, int g) {
        byte[] b = ChunkerTest.random(100 + rank, 1024 * 1024);
        if (g > 0) {
            byte[] change = ChunkerTest.random(1000L * rank + g, b.length / 10);
            System.arraycopy(change, 0, b, (g * 97_000) % (b.length - change.length), change.length);
        }
        return b;
    }

    private Manifest commit(FileCheckpointStore s, long id, int ranks, int g) {
        List<PieceRef> refs = new java.util.ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            refs.add(s.writePiece(CheckpointId.of(id), r, state(r, g)));
        }
        Manifest m = new Manifest(CheckpointId.of(id), ranks, refs);
        s.commit(m);
        return m;
    }

    private void assertReads(FileCheckpointStore s, Manifest m, int g) {
        for (PieceRef p : m.pieces()) {
            assertArrayEquals(state(p.rank(), g), s.readPiece(m.id(), p), "checkpoint " + m.id() + " rank " + p.rank());
        }
    }

    private List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private long chunkFiles() throws IOException {
        return files(root().resolve(ChunkStore.DIR)).stream()
                .filter(p -> ChunkStore.isHash(p.getFileName().toString()))
                .filter(p -> !p.getParent().getFileName().toString().equals("trash")).count();
    }

    @Test
    void shouldWriteOnlyTheChangedChunksWhenAStateChangesByATenth() {
        PieceWrite first = store.writePieceCounted(CheckpointId.of(1), 0, ByteBuffer.wrap(state(0, 0)));
        PieceWrite second = store.writePieceCounted(CheckpointId.of(2), 0, ByteBuffer.wrap(state(0, 1)));

        assertTrue(first.bytesWritten() >= state(0, 0).length, "the first writes everything: " + first);
        assertEquals(first.fullBytes(), second.fullBytes());
        assertTrue(second.bytesWritten() < second.fullBytes() / 3, "the second writes what changed: " + second);
    }

    @Test
    void shouldFreeOnlyTheChunksNoRetainedCheckpointUsesWhenCollecting() throws IOException {
        Manifest m1 = commit(store, 1, 2, 0);
        Manifest m2 = commit(store, 2, 2, 1);
        Manifest m3 = commit(store, 3, 2, 2);
        long before = chunkFiles();

        store.retain(2);
        CheckpointStore.Collected freed = store.collectGarbage();

        assertTrue(freed.chunks() > 0 && freed.bytes() > 0, freed.toString());
        assertEquals(before - freed.chunks(), chunkFiles());
        assertReads(store, m2, 1);
        assertReads(store, m3, 2);
        assertEquals(List.of(m2.id(), m3.id()), store.list());
        assertEquals(CheckpointStore.Collected.NOTHING, store.collectGarbage());
        assertTrue(m1.id().value() == 1);
    }

    @Test
    void shouldKeepTheChunksOfLocalAndSetAsideCheckpointsAndFreeThoseOfDeletedOnes() {
        store.writeLocal(0, 1, ByteBuffer.wrap(state(0, 0)));
        store.writeLocal(0, 2, ByteBuffer.wrap(state(0, 1)));
        store.writeLocal(1, 1, ByteBuffer.wrap(state(1, 0)));
        store.setAsideLocal(1, 1);
        store.deleteLocal(0, 1);

        CheckpointStore.Collected freed = store.collectGarbage();

        assertTrue(freed.chunks() > 0, freed.toString());
        assertArrayEquals(state(0, 1), store.readLocal(0, 2));
        byte[] head = store.verifyLocal(0, 2, 100);
        assertArrayEquals(java.util.Arrays.copyOf(state(0, 1), 100), head);
        // the set-aside checkpoint still has its chunks: written again, nothing new is needed
        PieceWrite again = store.writeLocalCounted(1, 1, ByteBuffer.wrap(state(1, 0)));
        assertEquals(again.piece().size(), again.bytesWritten());
    }

    // ---------------------------------------------------------------- interleavings of a writer and a collection

    /** Pieces of a simulated writer, by name, and the chunks they name; the collection's view of "pieces present". */
    private final Map<String, ChunkList> pieces = new HashMap<>();

    private Set<String> named() {
        Set<String> all = new HashSet<>();
        pieces.values().forEach(l -> l.chunks().forEach(c -> all.add(c.hash())));
        return all;
    }

    /**
     * A chunk directory that holds the chunks of {@code old} and no piece naming them (its checkpoint was deleted), and
     * a writer about to write {@code old} again: whatever the interleaving, its piece must read back.
     */
    private void interleave(Consumer<Steps> schedule) {
        ChunkStore chunks = new ChunkStore(temp.resolve("c"));
        byte[] old = state(0, 0);
        ChunkList list = ChunkList.of(ByteBuffer.wrap(old));
        try (ChunkStore.Intent i = chunks.begin(list)) {
            chunks.putMissing(list, ByteBuffer.wrap(old));
        }
        Steps steps = new Steps(chunks, list, old);
        schedule.accept(steps);
        steps.finish();
        assertArrayEquals(old, chunks.assemble("the writer's piece", pieces.get("w")));
        assertEquals(0, chunks.collection(this::named).run().chunks(), "every chunk is in use");
        assertArrayEquals(old, chunks.assemble("the writer's piece", pieces.get("w")));
    }

    /** A writer's steps, then a collection's, in their own order. */
    private enum Step { INTENT, PUT, PIECE, MARK, MOVE, MARK_AGAIN, DELETE }

    /** The writer's steps and the collection's, each run once, in the order a test calls them. */
    private final class Steps {
        final ChunkStore chunks;
        final ChunkList list;
        final byte[] bytes;
        final ChunkStore.Collection gc;
        final java.util.EnumSet<Step> done = java.util.EnumSet.noneOf(Step.class);
        ChunkStore.Intent intent;
        long written = -1;

        Steps(ChunkStore chunks, ChunkList list, byte[] bytes) {
            this.chunks = chunks;
            this.list = list;
            this.bytes = bytes;
            this.gc = chunks.collection(ChunkStoreTest.this::named);
        }

        Steps run(Step... steps) {
            for (Step step : steps) {
                assertTrue(done.add(step), step + " twice");
                switch (step) {
                    case INTENT -> intent = chunks.begin(list);
                    case PUT -> written = chunks.putMissing(list, ByteBuffer.wrap(bytes));
                    case PIECE -> {
                        pieces.put("w", list);
                        intent.close();
                    }
                    case MARK -> gc.mark();
                    case MOVE -> gc.moveUnmarked();
                    case MARK_AGAIN -> gc.markAgain();
                    case DELETE -> gc.deleteTrash();
                    default -> throw new AssertionError(step);
                }
            }
            return this;
        }

        /** The steps not taken yet: the writer's, then the collection's. */
        void finish() {
            for (Step step : Step.values()) {
                if (!done.contains(step)) {
                    run(step);
                }
            }
        }
    }

    @Test
    void shouldKeepAChunkWhenTheWritersIntentPrecedesTheCollection() {
        interleave(s -> s.run(Step.INTENT, Step.MARK, Step.MOVE, Step.MARK_AGAIN, Step.DELETE));
    }

    @Test
    void shouldMoveBackAChunkAWriterFoundPresentAfterTheFirstMarking() {
        interleave(s -> {
            s.run(Step.MARK, Step.INTENT, Step.PUT);
            assertEquals(0, s.written, "the writer relies on the chunks present");
            s.run(Step.MOVE);
            assertEquals(List.of(), s.chunks.chunks(), "the collection moved them all to the trash");
            s.run(Step.MARK_AGAIN, Step.DELETE);
        });
    }

    @Test
    void shouldLetAWriterWriteAgainAChunkMovedToTheTrash() {
        interleave(s -> {
            s.run(Step.MARK, Step.MOVE, Step.INTENT, Step.PUT);
            assertTrue(s.written > 0, "the chunks were in the trash: written again");
            s.run(Step.MARK_AGAIN, Step.DELETE);
        });
    }

    @Test
    void shouldMoveBackAChunkWhoseWriterFinishedBetweenTheMoveAndTheSecondMarking() {
        interleave(s -> {
            s.run(Step.MARK, Step.INTENT, Step.PUT, Step.MOVE, Step.PIECE);
            assertEquals(List.of(), s.chunks.chunks(), "the collection moved them all to the trash");
            s.run(Step.MARK_AGAIN, Step.DELETE);
        });
    }

    @Test
    void shouldReadAChunkFromTheTrashWhileACollectionHasItThere() {
        interleave(s -> {
            s.run(Step.MARK, Step.INTENT, Step.PUT, Step.MOVE, Step.PIECE);
            assertEquals(List.of(), s.chunks.chunks());
            assertArrayEquals(s.bytes, s.chunks.assemble("the writer's piece", s.list));
            s.run(Step.MARK_AGAIN, Step.DELETE);
        });
    }

    @Test
    void shouldDeleteTheChunksNobodyNamesWhenNoWriterIsUnderWay() {
        ChunkStore chunks = new ChunkStore(temp.resolve("c"));
        byte[] old = state(0, 0);
        ChunkList list = ChunkList.of(ByteBuffer.wrap(old));
        try (ChunkStore.Intent i = chunks.begin(list)) {
            chunks.putMissing(list, ByteBuffer.wrap(old));
        }
        CheckpointStore.Collected freed = chunks.collection(this::named).run();
        assertEquals(new HashSet<>(list.chunks()).size(), freed.chunks());
        assertEquals(List.of(), chunks.chunks());
        assertThrows(CheckpointStoreException.class, () -> chunks.assemble("gone", list));
    }

    // ---------------------------------------------------------------- crashes

    @Test
    void shouldLoseNothingCommittedWhenAWriteStopsAfterAnyStep() throws IOException {
        Manifest m1 = commit(store, 1, 1, 0);
        byte[] next = state(0, 1);
        ChunkList list = ChunkList.of(ByteBuffer.wrap(next));
        PieceRef uncommitted = null;
        for (int crashAfter = 1; crashAfter <= 3; crashAfter++) {
            ChunkStore chunks = new ChunkStore(root().resolve(ChunkStore.DIR));
            chunks.begin(list); // step 1, never closed: the writer dies
            if (crashAfter >= 2) {
                chunks.putMissing(list, ByteBuffer.wrap(next)); // step 2
            }
            if (crashAfter >= 3) {
                uncommitted = store.writePiece(CheckpointId.of(2), 0, next); // step 3: the piece, not committed
            }
            Files.writeString(chunks.file(list.chunks().get(0).hash()).resolveSibling("x.y.tmp"), "torn");
            store.close();
            store = new FileCheckpointStore(root(), null, true);
            assertEquals(m1.id(), store.latest().orElseThrow().manifest().id());
            assertReads(store, m1, 0);
            store.deleteInterruptedWrites();
            CheckpointStore.Collected freed = store.collectGarbage();
            assertReads(store, m1, 0);
            if (crashAfter == 2) {
                assertTrue(freed.chunks() > 0, "the chunks no piece names are collected once the intent is gone");
            }
        }
        Manifest m2 = new Manifest(CheckpointId.of(2), 1, List.of(uncommitted));
        store.commit(m2);
        assertReads(store, m2, 1); // the piece written before the crash kept its chunks
    }

    @Test
    void shouldLoseNothingCommittedWhenACollectionStopsAfterAnyStep() throws IOException {
        Manifest m1 = commit(store, 1, 2, 0);
        Manifest m2 = commit(store, 2, 2, 1);
        Manifest m3 = commit(store, 3, 2, 2);
        store.retain(2);
        for (int steps = 1; steps <= 3; steps++) {
            ChunkStore.Collection gc = store.collection();
            gc.mark();
            if (steps >= 2) {
                gc.moveUnmarked();
            }
            if (steps >= 3) {
                gc.markAgain();
            }
            // the coordinator dies here; the next one opens the store, which reads what is in trash/ too
            store.close();
            store = new FileCheckpointStore(root(), null, true);
            assertReads(store, m2, 1);
            assertReads(store, m3, 2);
            store.deleteInterruptedWrites(); // the resume, before any rank runs
            assertFalse(files(root().resolve(ChunkStore.DIR).resolve("trash")).stream().findAny().isPresent(),
                    "the resume moved the trash back");
            assertReads(store, m2, 1);
            assertReads(store, m3, 2);
        }
        assertTrue(store.collectGarbage().chunks() > 0);
        assertReads(store, m2, 1);
        assertReads(store, m3, 2);
        assertTrue(m1.id().value() == 1);
    }

    // ---------------------------------------------------------------- damage

    /** A chunk checkpoint 3 uses and checkpoints 1 and 2 do not. */
    private String chunkOnlyIn3() {
        Set<String> older = new HashSet<>();
        older.addAll(hashes(state(0, 0)));
        older.addAll(hashes(state(0, 1)));
        return hashes(state(0, 2)).stream().filter(h -> !older.contains(h)).findFirst().orElseThrow();
    }

    private static List<String> hashes(byte[] bytes) {
        return ChunkList.of(ByteBuffer.wrap(bytes)).chunks().stream().map(ChunkList.Chunk::hash).toList();
    }

    @Test
    void shouldFallBackPastEveryCheckpointThatUsesADamagedChunk() throws IOException {
        commit(store, 1, 1, 0);
        commit(store, 2, 1, 1);
        commit(store, 3, 1, 2);
        commit(store, 4, 1, 2); // the same state again: the same chunks
        String hash = chunkOnlyIn3();
        Path chunk = new ChunkStore(root().resolve(ChunkStore.DIR)).file(hash);
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[bytes.length / 2] ^= 1;
        Files.write(chunk, bytes);

        Recovered recovered = store.latest().orElseThrow();

        assertEquals(CheckpointId.of(2), recovered.manifest().id());
        assertEquals(2, recovered.warnings().size(), recovered.warnings().toString());
        for (String w : recovered.warnings()) {
            assertTrue(w.contains(hash) && w.contains("SHA-256") && w.contains("rank-00000.piece"), w);
        }
        store.retain(1);
        assertEquals(List.of(CheckpointId.of(2), CheckpointId.of(3), CheckpointId.of(4)), store.list(),
                "the damaged ones are kept for inspection, the good one is not deleted");
    }

    @Test
    void shouldKeepTheLastCheckpointWithoutADamagedChunkThatLaterOnesReuse() throws IOException {
        commit(store, 1, 1, 1);
        commit(store, 2, 1, 2);
        String hash = chunkOnlyIn3(); // in generation 2, not in 0 or 1
        Path chunk = new ChunkStore(root().resolve(ChunkStore.DIR)).file(hash);
        byte[] bytes = Files.readAllBytes(chunk);
        bytes[bytes.length / 2] ^= 1;
        Files.write(chunk, bytes); // damaged on disk after it was written
        commit(store, 3, 1, 2); // the same state again: the writer finds the chunk there and reuses it
        commit(store, 4, 1, 2);

        store.retain(2);

        assertTrue(store.list().contains(CheckpointId.of(1)), "checkpoints 2 to 4 all use the damaged chunk: "
                + "retention must not count them, and keeps 1: " + store.list());
        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());
    }

    @Test
    void shouldSayNoCheckpointIsWholeWhenEveryOneUsesAMissingChunk() throws IOException {
        commit(store, 1, 1, 2);
        commit(store, 2, 1, 2);
        String hash = hashes(state(0, 2)).get(0);
        Files.delete(new ChunkStore(root().resolve(ChunkStore.DIR)).file(hash));

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.latest());

        assertTrue(e.getMessage().contains("no complete checkpoint") && e.getMessage().contains(hash)
                && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void shouldRefuseAnIncrementalPieceInAStoreThatKeepsNoChunks() throws IOException {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, new byte[] {1, 2, 3});
        byte[] file = Files.readAllBytes(root().resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1)))
                .resolve(ref.fileName()));
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> CheckpointFormatDescriptor.verifyPiece("p", file, CheckpointId.of(1), ref));
        assertTrue(e.getMessage().contains("incremental"), e.getMessage());
    }
}
