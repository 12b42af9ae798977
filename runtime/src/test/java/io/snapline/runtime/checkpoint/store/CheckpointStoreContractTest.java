package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract every {@link CheckpointStore} honours; each implementation's test extends this class. */
abstract class CheckpointStoreContractTest {

    protected CheckpointStore store;

    /** A fresh, empty store whose checkpoints record {@code fingerprint} (null: none). */
    protected abstract CheckpointStore newStore(JobFingerprint fingerprint);

    /** A fresh, empty store whose checkpoints record no fingerprint. */
    protected CheckpointStore newStore() {
        return newStore(null);
    }

    protected static final JobFingerprint JOB = JobFingerprint.of("demo.Main", List.of("20", "x y"),
            "sha256:" + "ab".repeat(32), "coordinated", "logging=none", 2);

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Writes one piece per rank ("ckpt k rank r") and commits the manifest. */
    protected Manifest checkpoint(long id, int ranks) {
        Manifest manifest = writePieces(id, ranks);
        store.commit(manifest);
        return manifest;
    }

    protected Manifest writePieces(long id, int ranks) {
        List<PieceRef> refs = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            refs.add(store.writePiece(CheckpointId.of(id), r, payload(id, r)));
        }
        return new Manifest(CheckpointId.of(id), ranks, refs);
    }

    protected static byte[] payload(long id, int rank) {
        return ("ckpt " + id + " rank " + rank).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldStoreTheSameBytesWhenThePayloadIsGivenInParts() {
        byte[] whole = payload(1, 0);
        java.nio.ByteBuffer first = java.nio.ByteBuffer.wrap(whole, 0, whole.length / 3).slice();
        java.nio.ByteBuffer second = java.nio.ByteBuffer.wrap(whole, whole.length / 3, whole.length - whole.length / 3)
                .slice();
        PieceRef parts = store.writePiece(CheckpointId.of(1), 0, first, second);
        assertEquals(0, first.position(), "the parts' positions are left alone");
        PieceRef single = store.writePiece(CheckpointId.of(2), 0, whole);
        assertEquals(single.size(), parts.size());
        assertEquals(single.crc32c(), parts.crc32c());
        assertArrayEquals(whole, store.readPiece(CheckpointId.of(1), parts));
    }

    @Test
    void shouldReadAManifestWithoutChangingTheStoreWhenAskedForOne() {
        checkpoint(1, 2);
        checkpoint(2, 2);
        assertEquals(CheckpointId.of(1), store.manifest(CheckpointId.of(1)).id());
        assertEquals(2, store.manifest(CheckpointId.of(2)).ranks());
        CheckpointStoreException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointStoreException.class,
                () -> store.manifest(CheckpointId.of(3)));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
        assertEquals(List.of(CheckpointId.of(1), CheckpointId.of(2)), store.list());
    }

    @Test
    void shouldReadBackEveryPieceWhenCheckpointCommitted() {
        checkpoint(1, 3);

        Recovered recovered = store.latest().orElseThrow();

        assertEquals(CheckpointId.of(1), recovered.manifest().id());
        assertEquals(3, recovered.manifest().ranks());
        assertEquals(List.of(), recovered.warnings());
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(payload(1, r), store.readPiece(CheckpointId.of(1), recovered.manifest().piece(r)));
        }
    }

    @Test
    @Timeout(30)
    void shouldKeepEveryPieceWhenRanksWriteConcurrently() throws Exception {
        int ranks = 8;
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<PieceRef>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                futures.add(pool.submit(() -> store.writePiece(CheckpointId.of(1), rank, payload(1, rank))));
            }
            List<PieceRef> refs = new ArrayList<>();
            for (Future<PieceRef> future : futures) {
                refs.add(future.get());
            }
            store.commit(new Manifest(CheckpointId.of(1), ranks, refs));
        } finally {
            pool.shutdownNow();
        }

        Manifest manifest = store.latest().orElseThrow().manifest();
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(payload(1, r), store.readPiece(CheckpointId.of(1), manifest.piece(r)));
        }
    }

    @Test
    void shouldRoundTripEmptyPayloadWhenRankHasNoState() {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, new byte[0]);
        store.commit(new Manifest(CheckpointId.of(1), 1, List.of(ref)));

        assertEquals(CheckpointFormatDescriptor.PIECE_HEADER_SIZE, ref.size());
        assertArrayEquals(new byte[0], store.readPiece(CheckpointId.of(1), ref));
    }

    @Test
    void shouldFindNothingWhenStoreIsEmpty() {
        assertTrue(store.latest().isEmpty());
        assertEquals(List.of(), store.list());
    }

    @Test
    void shouldHidePiecesWhenManifestNotCommitted() {
        checkpoint(1, 2);
        writePieces(2, 2);

        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());
        assertEquals(List.of(CheckpointId.of(1)), store.list());
    }

    @Test
    void shouldReturnNewestAndListOldestFirstWhenSeveralCommitted() {
        checkpoint(1, 2);
        checkpoint(2, 2);
        checkpoint(5, 2);

        assertEquals(CheckpointId.of(5), store.latest().orElseThrow().manifest().id());
        assertEquals(List.of(CheckpointId.of(1), CheckpointId.of(2), CheckpointId.of(5)), store.list());
    }

    @Test
    void shouldReplaceUncommittedPieceWhenRankWritesAgain() {
        store.writePiece(CheckpointId.of(1), 0, "first attempt, longer".getBytes(StandardCharsets.US_ASCII));
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, payload(1, 0));
        store.commit(new Manifest(CheckpointId.of(1), 1, List.of(ref)));

        assertArrayEquals(payload(1, 0), store.readPiece(CheckpointId.of(1), ref));
    }

    @Test
    void shouldRefuseCommitWhenARankHasNotWrittenItsPiece() {
        PieceRef rank0 = store.writePiece(CheckpointId.of(1), 0, payload(1, 0));
        PieceRef rank1 = new PieceRef(1, CheckpointFormatDescriptor.pieceFileName(1), rank0.size(), rank0.crc32c());

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> store.commit(new Manifest(CheckpointId.of(1), 2, List.of(rank0, rank1))));

        assertTrue(e.getMessage().contains("rank 1's piece"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertTrue(store.latest().isEmpty());
    }

    @Test
    void shouldRefuseCommitWhenIdIsNotNewerThanLatest() {
        checkpoint(3, 1);
        Manifest older = writePieces(2, 1);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.commit(older));

        assertTrue(e.getMessage().contains("checkpoint 3 is already committed"), e.getMessage());
    }

    @Test
    void shouldRejectPieceWhenChecksumDiffersFromManifest() {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, payload(1, 0));
        PieceRef wrong = new PieceRef(0, ref.fileName(), ref.size(), ref.crc32c() ^ 1);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> store.readPiece(CheckpointId.of(1), wrong));

        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void shouldRejectPieceWhenReadForAnotherCheckpoint() {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, payload(1, 0));

        assertThrows(CheckpointStoreException.class, () -> store.readPiece(CheckpointId.of(2), ref));
    }

    @Test
    void shouldKeepExactlyKWhenRetaining() {
        for (long id = 1; id <= 5; id++) {
            checkpoint(id, 2);
        }

        store.retain(2);

        assertEquals(List.of(CheckpointId.of(4), CheckpointId.of(5)), store.list());
        Manifest kept = store.latest().orElseThrow().manifest();
        assertArrayEquals(payload(5, 1), store.readPiece(CheckpointId.of(5), kept.piece(1)));
        PieceRef gone = new PieceRef(1, CheckpointFormatDescriptor.pieceFileName(1),
                kept.piece(1).size(), kept.piece(1).crc32c());
        assertThrows(CheckpointStoreException.class, () -> store.readPiece(CheckpointId.of(3), gone));
    }

    @Test
    void shouldKeepOnlyCheckpointWhenRetainingOne() {
        checkpoint(1, 2);

        store.retain(1);

        assertEquals(List.of(CheckpointId.of(1)), store.list());
        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());
    }

    @Test
    void shouldKeepCommittedCheckpointWhenNextIsOnlyWritten() {
        checkpoint(1, 2);
        writePieces(2, 2);

        store.retain(1);

        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());
    }

    @Test
    void shouldRefuseRetentionWhenKIsBelowOne() {
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.retain(0));

        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void shouldRefuseRestoreWhenRankCountDiffersFromManifest() {
        checkpoint(7, 4);
        Manifest manifest = store.latest().orElseThrow().manifest();

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> manifest.requireRanks(3));

        assertTrue(e.getMessage().contains("taken with 4 ranks"), e.getMessage());
        assertTrue(e.getMessage().contains("this job has 3"), e.getMessage());
        manifest.requireRanks(4);
    }

    @Test
    void shouldFailWhenUsedAfterClose() {
        store.close();

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.list());

        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void shouldCommitLocalCheckpointsPerRankWithoutAManifest() {
        store.writeLocal(0, 1, java.nio.ByteBuffer.wrap(payload(1, 0)));
        store.writeLocal(2, 1, java.nio.ByteBuffer.wrap(payload(1, 2)));
        store.writeLocal(2, 3, java.nio.ByteBuffer.wrap(payload(3, 2)), java.nio.ByteBuffer.wrap(new byte[] {7}));

        assertEquals(List.of(0, 2), store.localRanks());
        assertEquals(List.of(1L, 3L), store.localIndexes(2));
        assertEquals(List.of(), store.localIndexes(1));
        assertArrayEquals(payload(1, 2), store.readLocal(2, 1));
        byte[] joined = store.readLocal(2, 3);
        assertEquals(payload(3, 2).length + 1, joined.length);
        assertEquals(7, joined[joined.length - 1]);
        assertTrue(store.list().isEmpty(), "local checkpoints are not global ones");
        assertTrue(store.latest().isEmpty());
    }

    @Test
    void shouldReplaceAndDeleteLocalCheckpointsWhenAsked() {
        store.writeLocal(1, 4, java.nio.ByteBuffer.wrap(payload(4, 1)));
        store.writeLocal(1, 4, java.nio.ByteBuffer.wrap(payload(44, 1)));
        store.writeLocal(1, 5, java.nio.ByteBuffer.wrap(payload(5, 1)));

        assertArrayEquals(payload(44, 1), store.readLocal(1, 4));
        store.deleteLocal(1, 4);
        store.deleteLocal(1, 9); // absent: nothing to do

        assertEquals(List.of(5L), store.localIndexes(1));
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.readLocal(1, 4));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void shouldReturnOnlyTheHeadOfALocalCheckpointWhenVerifyingIt() {
        byte[] big = new byte[700_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        store.writeLocal(1, 2, java.nio.ByteBuffer.wrap(big, 0, 1000), java.nio.ByteBuffer.wrap(big, 1000,
                big.length - 1000));

        assertArrayEquals(java.util.Arrays.copyOf(big, 300_000), store.verifyLocal(1, 2, 300_000));
        assertArrayEquals(big, store.verifyLocal(1, 2, Integer.MAX_VALUE), "the whole payload when it is shorter");
        assertEquals(0, store.verifyLocal(1, 2, 0).length);
        CheckpointStoreException missing = assertThrows(CheckpointStoreException.class,
                () -> store.verifyLocal(1, 3, 10));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }

    @Test
    void shouldRefuseLocalCheckpointNumberZeroOrANegativeRank() {
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> store.writeLocal(0, 0, java.nio.ByteBuffer.wrap(new byte[1])));
        assertTrue(e.getMessage().contains("number >= 1"), e.getMessage());
        assertThrows(CheckpointStoreException.class, () -> store.writeLocal(-1, 1, java.nio.ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void shouldRecordTheLatestRecoveryLine() {
        assertTrue(store.recoveryLine().isEmpty());

        store.writeRecoveryLine(new long[] {3, 0, 2});
        store.writeRecoveryLine(new long[] {4, 1, 2});

        assertArrayEquals(new long[] {4, 1, 2}, store.recoveryLine().orElseThrow());
    }

    @Test
    void shouldRecordTheJobFingerprintWithEveryCommittedAndLocalCheckpointWhenTheStoreHasOne() {
        store.close();
        store = newStore(JOB);
        Manifest manifest = checkpoint(1, 2);
        store.writeLocal(1, 3, java.nio.ByteBuffer.wrap(payload(3, 1)));

        assertEquals(java.util.Optional.of(JOB), store.fingerprint(CheckpointId.of(1)));
        assertEquals(java.util.Optional.of(JOB), store.localFingerprint(1, 3));
        assertArrayEquals(payload(1, 1), store.readPiece(CheckpointId.of(1), manifest.piece(1)));
        assertArrayEquals(payload(3, 1), store.readLocal(1, 3));
    }

    @Test
    void shouldRecordNoFingerprintWhenTheStoreWasOpenedWithoutOne() {
        checkpoint(1, 1);
        store.writeLocal(0, 1, java.nio.ByteBuffer.wrap(payload(1, 0)));

        assertEquals(java.util.Optional.empty(), store.fingerprint(CheckpointId.of(1)));
        assertEquals(java.util.Optional.empty(), store.localFingerprint(0, 1));
    }

    @Test
    void shouldRefuseAFingerprintOfACheckpointThatIsNotThere() {
        assertThrows(CheckpointStoreException.class, () -> store.fingerprint(CheckpointId.of(4)));
        assertThrows(CheckpointStoreException.class, () -> store.localFingerprint(0, 4));
    }
}
