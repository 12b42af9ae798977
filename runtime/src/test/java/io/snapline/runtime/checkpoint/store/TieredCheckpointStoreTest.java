package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store contract with a fast copy and a replica, and what the second copy adds. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TieredCheckpointStoreTest extends CheckpointStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected CheckpointStore newStore(JobFingerprint fingerprint) {
        return new TieredCheckpointStore(new InMemoryCheckpointStore(fingerprint),
                new InMemoryCheckpointStore(fingerprint), TieredCheckpointStore.DEFAULT_MAX_PENDING, unexpected::add);
    }

    private final List<String> unexpected = new CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void noReplicaWriteFailed() {
        assertEquals(List.of(), unexpected, "replica writes that failed");
    }

    @Test
    void shouldWriteTheReplicaInTheBackgroundAndReadItWhenTheLocalCopyIsDamagedOrGone() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        InMemoryCheckpointStore replica = new InMemoryCheckpointStore(JOB);
        CheckpointStore held = around(replica, "writePiece", () -> await(hold));
        Path local = dir.resolve("local");
        TieredCheckpointStore s = new TieredCheckpointStore(new FileCheckpointStore(local, JOB), held,
                TieredCheckpointStore.DEFAULT_MAX_PENDING, w -> { });
        byte[] state = "state of rank 0 at checkpoint 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        PieceRef ref = s.writePiece(CheckpointId.of(1), 0, ByteBuffer.wrap(state));
        s.commit(new Manifest(CheckpointId.of(1), 1, List.of(ref)));

        assertEquals(List.of(), replica.list(), "the replica is written behind the fast copy");
        hold.countDown();
        s.flush();
        assertEquals(List.of(CheckpointId.of(1)), replica.list());

        Path piece;
        try (var files = Files.walk(local)) {
            piece = files.filter(p -> p.getFileName().toString().equals(CheckpointFormatDescriptor.pieceFileName(0)))
                    .findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(piece);
        bytes[bytes.length - 1] ^= 1;
        Files.write(piece, bytes);
        assertArrayEquals(state, s.readPiece(CheckpointId.of(1), ref), "read from the replica");
        assertEquals(CheckpointId.of(1), s.latest().orElseThrow().manifest().id());

        TieredCheckpointStore elsewhere = new TieredCheckpointStore(new FileCheckpointStore(dir.resolve("other"),
                JOB), replica, TieredCheckpointStore.DEFAULT_MAX_PENDING, w -> { });
        Recovered r = elsewhere.latest().orElseThrow();
        assertEquals(CheckpointId.of(1), r.manifest().id());
        assertArrayEquals(state, elsewhere.readPiece(CheckpointId.of(1), r.manifest().pieces().get(0)));
    }

    /** What a {@link TieredCheckpointStore.Listener} heard, in order. */
    private static final class Heard implements TieredCheckpointStore.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void replicaWritten(CheckpointId id, PieceRef piece) {
            events.add("replica " + id + " rank " + piece.rank() + " " + piece.size() + " bytes crc " + piece.crc32c());
        }

        @Override
        public void pieceRead(CheckpointId id, int rank, String fastFailure) {
            events.add("read " + id + " rank " + rank + (fastFailure == null ? " from the fast copy"
                    : " from the replica: " + fastFailure));
        }
    }

    @Test
    void shouldTellWhenAPieceIsInTheReplicaAndWhichCopyEachReadCameFrom() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        InMemoryCheckpointStore replica = new InMemoryCheckpointStore(JOB);
        Heard heard = new Heard();
        FileCheckpointStore host = new FileCheckpointStore(dir.resolve("host"), JOB);
        TieredCheckpointStore s = new TieredCheckpointStore(host, around(replica, "writePiece", () -> await(hold)),
                TieredCheckpointStore.DEFAULT_MAX_PENDING, unexpected::add, heard);
        PieceRef first = s.writePiece(CheckpointId.of(1), 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        PieceRef second = s.writePiece(CheckpointId.of(1), 1, new byte[] {4, 5});

        assertEquals(List.of(), heard.events, "nothing is in the replica while its writes wait");
        hold.countDown();
        s.flush();
        assertEquals(List.of("replica 1 rank 0 " + first.size() + " bytes crc " + first.crc32c(), "replica 1 rank 1 "
                + second.size() + " bytes crc " + second.crc32c()), heard.events, "the replica's pieces are the host's");

        heard.events.clear();
        assertArrayEquals(new byte[] {1, 2, 3}, s.readPiece(CheckpointId.of(1), first));
        Files.delete(dir.resolve("host").resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1)))
                .resolve(CheckpointFormatDescriptor.pieceFileName(1)));
        assertArrayEquals(new byte[] {4, 5}, s.readPiece(CheckpointId.of(1), second));
        assertEquals(2, heard.events.size(), heard.events.toString());
        assertEquals("read 1 rank 0 from the fast copy", heard.events.get(0));
        assertTrue(heard.events.get(1).startsWith("read 1 rank 1 from the replica: ") && heard.events.get(1).contains(
                CheckpointFormatDescriptor.pieceFileName(1)), heard.events.get(1));
    }

    @Test
    void shouldDeleteOnlyARanksOlderUncommittedHostCopies() throws Exception {
        FileCheckpointStore host = new FileCheckpointStore(dir.resolve("host"), JOB);
        for (long id = 1; id <= 3; id++) {
            host.writePiece(CheckpointId.of(id), 0, new byte[] {(byte) id});
            host.writePiece(CheckpointId.of(id), 1, new byte[] {(byte) id});
        }
        PieceRef committed = host.writePiece(CheckpointId.of(4), 0, new byte[] {4});
        host.commit(new Manifest(CheckpointId.of(4), 1, List.of(committed)));
        host.writePiece(CheckpointId.of(5), 0, new byte[] {5});

        host.deleteUncommittedPieces(0, CheckpointId.of(3));

        Path root = dir.resolve("host");
        for (long id = 1; id <= 5; id++) {
            Path d = root.resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(id)));
            assertEquals(id >= 3, Files.exists(d.resolve(CheckpointFormatDescriptor.pieceFileName(0))),
                    "rank 0's piece of checkpoint " + id);
        }
        assertTrue(Files.exists(root.resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1)))
                .resolve(CheckpointFormatDescriptor.pieceFileName(1))), "another rank's piece stays");
        host.deleteUncommittedPieces(1, CheckpointId.of(3));
        assertTrue(!Files.exists(root.resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1)))),
                "an emptied directory goes");
        host.deleteUncommittedPieces(0, CheckpointId.of(6));
        assertEquals(List.of(CheckpointId.of(4)), host.list(), "a committed checkpoint is left alone");
        assertTrue(Files.exists(root.resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(3)))
                .resolve(CheckpointFormatDescriptor.pieceFileName(1))));
    }

    @Test
    void shouldWarnOnceAndStopWritingTheReplicaWhenAWriteToItFails() {
        List<String> warnings = new CopyOnWriteArrayList<>();
        CheckpointStore replica = around(new InMemoryCheckpointStore(JOB), "writeLocal", () -> {
            throw new CheckpointStoreException("the cluster is gone");
        });
        TieredCheckpointStore s = new TieredCheckpointStore(new InMemoryCheckpointStore(JOB), replica, 4096,
                warnings::add);
        s.writeLocal(0, 1, ByteBuffer.wrap(new byte[10_000]));
        s.writeLocal(0, 2, ByteBuffer.wrap(new byte[10_000]));
        s.flush();

        assertEquals(List.of("writing rank 0's local checkpoint 1 to the replica failed ("
                + CheckpointStoreException.class.getName() + ": the cluster is gone); the replica is not written to "
                + "from now on, and only the fast copy holds later checkpoints"), warnings);
        assertEquals(warnings.get(0), s.replicaFailure().orElseThrow());
        assertArrayEquals(new byte[10_000], s.readLocal(0, 2));
    }

    @Test
    void shouldMakeEventsStableInBothCopiesBeforeReturning() {
        InMemoryCheckpointStore fast = new InMemoryCheckpointStore(JOB);
        InMemoryCheckpointStore replica = new InMemoryCheckpointStore(JOB);
        TieredCheckpointStore s = new TieredCheckpointStore(fast, replica, 4096, w -> { });
        s.appendEvents(3, new byte[] {7});

        assertArrayEquals(new byte[] {7}, replica.readEvents(3).get(0));
        assertArrayEquals(new byte[] {7}, fast.readEvents(3).get(0));
    }

    @Test
    void shouldReadTheReplicasEventsOnAHostWhoseLocalCopyHasNoneAndCatchUpBeforeCuttingAStream() {
        InMemoryCheckpointStore replica = new InMemoryCheckpointStore(JOB);
        replica.appendEvents(1, new byte[] {5});
        TieredCheckpointStore fresh = new TieredCheckpointStore(new InMemoryCheckpointStore(JOB), replica, 4096,
                unexpected::add);
        assertArrayEquals(new byte[] {5}, fresh.readEvents(1).get(0), "from the replica");

        CountDownLatch hold = new CountDownLatch(1);
        InMemoryCheckpointStore slow = new InMemoryCheckpointStore(JOB);
        TieredCheckpointStore s = new TieredCheckpointStore(new InMemoryCheckpointStore(JOB),
                around(slow, "writeLocal", () -> await(hold)), TieredCheckpointStore.DEFAULT_MAX_PENDING,
                unexpected::add);
        s.writeLocal(1, 4, ByteBuffer.wrap(new byte[] {1}));
        Thread cut = new Thread(() -> s.replaceEvents(1, List.of(new byte[] {6})));
        cut.start();
        while (cut.getState() != Thread.State.WAITING && cut.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait(); // until it waits for the replica to catch up, or (were it not to) has cut the stream
        }
        assertEquals(List.of(), slow.localIndexes(1));
        assertEquals(List.of(), slow.readEvents(1), "the stream is not cut before the replica has the checkpoint");
        hold.countDown();
        try {
            cut.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(List.of(4L), slow.localIndexes(1));
        assertArrayEquals(new byte[] {6}, slow.readEvents(1).get(0));
    }

    @Test
    void shouldNameBothReasonsWhenNeitherCopyHasAPiece() {
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.readLocal(2, 9));
        assertTrue(e.getMessage().startsWith("the fast copy: ") && e.getMessage().contains("; the replica: "),
                e.getMessage());
    }

    /** {@code store}, running {@code before} ahead of each call of its method {@code method}. */
    private static CheckpointStore around(CheckpointStore store, String method, Runnable before) {
        return (CheckpointStore) java.lang.reflect.Proxy.newProxyInstance(CheckpointStore.class.getClassLoader(),
                new Class<?>[] {CheckpointStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        before.run();
                    }
                    try {
                        return m.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
