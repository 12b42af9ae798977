package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCheckpointStoreTest extends CheckpointStoreContractTest {

    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("store");
    }

    @Override
    protected CheckpointStore newStore(JobFingerprint fingerprint) {
        return new FileCheckpointStore(root(), fingerprint);
    }

    private Path dir(long id) {
        return root().resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(id)));
    }

    private Path piece(long id, int rank) {
        return dir(id).resolve(CheckpointFormatDescriptor.pieceFileName(rank));
    }

    private Path manifestFile(long id) {
        return dir(id).resolve(CheckpointFormatDescriptor.MANIFEST_FILE);
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static void truncate(Path file, long by) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - by);
        }
    }

    private static void flipBit(Path file, int offsetFromEnd) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - offsetFromEnd] ^= 0x10;
        Files.write(file, bytes);
    }

    private void assertFallsBackTo(long expected, Path namedFile) {
        Recovered recovered = store.latest().orElseThrow();
        assertEquals(CheckpointId.of(expected), recovered.manifest().id());
        assertEquals(1, recovered.warnings().size(), recovered.warnings().toString());
        String warning = recovered.warnings().get(0);
        assertTrue(warning.contains(namedFile.getFileName().toString()) && warning.contains(namedFile.getParent()
                .getFileName().toString()), warning);
        assertTrue(warning.contains("falling back"), warning);
    }

    @Test
    void shouldFindCheckpointWhenStoreIsReopened() {
        checkpoint(1, 2);
        store.close();

        try (FileCheckpointStore reopened = new FileCheckpointStore(root())) {
            Manifest manifest = reopened.latest().orElseThrow().manifest();
            assertArrayEquals(payload(1, 1), reopened.readPiece(CheckpointId.of(1), manifest.piece(1)));
        }
    }

    @Test
    void shouldLeaveNoManifestWhenPiecesAreWrittenButNotCommitted() {
        writePieces(1, 2);

        assertTrue(Files.exists(piece(1, 1)));
        assertFalse(Files.exists(manifestFile(1)));
        assertTrue(store.latest().isEmpty());
    }

    @Test
    void shouldFallBackWithWarningWhenNewestPieceIsTruncated() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        truncate(piece(2, 1), 3);

        assertFallsBackTo(1, piece(2, 1));
        assertTrue(store.latest().orElseThrow().warnings().get(0).contains("torn"));
    }

    @Test
    void shouldFallBackWithWarningWhenNewestPieceHasFlippedBit() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        flipBit(piece(2, 0), 2);

        assertFallsBackTo(1, piece(2, 0));
        assertTrue(store.latest().orElseThrow().warnings().get(0).contains("checksum mismatch"));
    }

    @Test
    void shouldFallBackWithWarningWhenNewestPieceHeaderIsCorrupt() throws IOException {
        checkpoint(1, 1);
        checkpoint(2, 1);
        byte[] bytes = Files.readAllBytes(piece(2, 0));
        bytes[9] ^= 1;
        Files.write(piece(2, 0), bytes);

        assertFallsBackTo(1, piece(2, 0));
    }

    @Test
    void shouldFallBackWithWarningWhenNewestManifestIsTruncated() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        truncate(manifestFile(2), 5);

        assertFallsBackTo(1, manifestFile(2));
    }

    @Test
    void shouldFallBackWithWarningWhenNewestManifestHasFlippedBit() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        flipBit(manifestFile(2), 20);

        assertFallsBackTo(1, manifestFile(2));
    }

    @Test
    void shouldWarnForEverySkippedCheckpointWhenSeveralAreCorrupt() throws IOException {
        checkpoint(1, 1);
        checkpoint(2, 1);
        checkpoint(3, 1);
        truncate(piece(2, 0), 1);
        flipBit(manifestFile(3), 12);

        Recovered recovered = store.latest().orElseThrow();

        assertEquals(CheckpointId.of(1), recovered.manifest().id());
        assertEquals(2, recovered.warnings().size());
        assertTrue(recovered.warnings().get(0).startsWith("skipping checkpoint 3"), recovered.warnings().get(0));
        assertTrue(recovered.warnings().get(1).startsWith("skipping checkpoint 2"), recovered.warnings().get(1));
    }

    @Test
    void shouldRefuseRecoveryWhenEveryCommittedCheckpointIsCorrupt() throws IOException {
        checkpoint(1, 1);
        truncate(piece(1, 0), 1);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.latest());

        assertTrue(e.getMessage().contains("no complete checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("skipping checkpoint 1"), e.getMessage());
        assertTrue(e.getMessage().contains(piece(1, 0).toString()), e.getMessage());
    }

    @Test
    void shouldNeverDeleteOnlyCompleteCheckpointWhenNewerOneIsTorn() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        truncate(piece(2, 1), 4);

        store.retain(1);

        assertTrue(Files.isDirectory(dir(1)));
        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());
    }

    @Test
    void shouldNotCountACheckpointFoundDamagedAmongThoseRetainedWhenItsSizesAreRight() throws IOException {
        checkpoint(1, 2);
        checkpoint(2, 2);
        flipBit(piece(2, 1), 3); // same size: only the checksum tells
        assertEquals(CheckpointId.of(1), store.latest().orElseThrow().manifest().id());

        checkpoint(3, 2);
        store.retain(2);

        assertTrue(Files.isDirectory(dir(1)), "checkpoint 1 is one of the two newest good ones");
        assertTrue(Files.isDirectory(dir(2)), "a damaged checkpoint is kept for inspection, never counted");
        checkpoint(4, 2);
        store.retain(2);
        assertFalse(Files.exists(dir(1)));
        assertFalse(Files.exists(dir(2)));
    }

    @Test
    void shouldDeleteOlderDirectoriesWhenRetaining() {
        checkpoint(1, 1);
        writePieces(2, 1);
        checkpoint(3, 1);
        checkpoint(4, 1);

        store.retain(2);

        assertFalse(Files.exists(dir(1)));
        assertFalse(Files.exists(dir(2)));
        assertTrue(Files.exists(dir(3)));
        assertTrue(Files.exists(dir(4)));
    }

    @Test
    void shouldAllowCommitWhenNewestCommittedIsCorrupt() throws IOException {
        checkpoint(1, 1);
        checkpoint(2, 1);
        truncate(manifestFile(2), 4);

        checkpoint(2, 1);

        Recovered recovered = store.latest().orElseThrow();
        assertEquals(CheckpointId.of(2), recovered.manifest().id());
        assertEquals(List.of(), recovered.warnings());
    }

    @Test
    void shouldCreateOwnerOnlyFilesAndDirectoriesWhenPosix() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        checkpoint(1, 2);

        for (Path dir : List.of(root(), dir(1))) {
            assertEquals("rwx------", permissions(dir), dir.toString());
        }
        for (Path file : List.of(piece(1, 0), piece(1, 1), manifestFile(1))) {
            assertEquals("rw-------", permissions(file), file.toString());
        }
    }

    @Test
    void shouldKeepPermissionsOfExistingDirectoryWhenStoreIsOpenedThere() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path existing = temp.resolve("existing");
        Files.createDirectory(existing);
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-x---"));

        try (FileCheckpointStore other = new FileCheckpointStore(existing)) {
            other.writePiece(CheckpointId.of(1), 0, payload(1, 0));
        }

        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                existing.resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1))))));
    }

    @Test
    void shouldIgnoreAndDeleteTemporaryFilesWhenRecoveringAfterCrash() throws IOException {
        checkpoint(1, 1);
        writePieces(2, 1);
        Path tornPiece = dir(2).resolve(CheckpointFormatDescriptor.pieceFileName(1) + ".tmp");
        Path tornManifest = dir(2).resolve(CheckpointFormatDescriptor.MANIFEST_FILE + ".tmp");
        Files.write(tornPiece, new byte[] {1, 2, 3});
        Files.write(tornManifest, "snapline-manifest 2\ncheck".getBytes());

        Recovered recovered = store.latest().orElseThrow();

        assertEquals(CheckpointId.of(1), recovered.manifest().id());
        assertEquals(List.of(), recovered.warnings());
        assertEquals(List.of(CheckpointId.of(1)), store.list());
        assertFalse(Files.exists(tornPiece));
        assertFalse(Files.exists(tornManifest));
        try (Stream<Path> files = Files.walk(root())) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void shouldDeleteWhatInterruptedLocalWritesLeftAndKeepTheCommittedCheckpoints() throws IOException {
        store.writeLocal(1, 1, java.nio.ByteBuffer.wrap(new byte[] {7, 7}));
        Path rankDir = root().resolve("local").resolve(CheckpointFormatDescriptor.localRankDirName(1));
        Path torn = rankDir.resolve(CheckpointFormatDescriptor.localPieceFileName(2) + ".tmp");
        Path tornFloor = root().resolve("local").resolve(CheckpointFormatDescriptor.RECOVERY_LINE_FILE + ".tmp");
        Files.write(torn, new byte[1 << 16]);
        Files.write(tornFloor, new byte[] {1});

        assertEquals(List.of(1L), store.localIndexes(1), "a temporary file is never a checkpoint");
        store.deleteInterruptedWrites();

        assertFalse(Files.exists(torn));
        assertFalse(Files.exists(tornFloor));
        assertEquals(List.of(1L), store.localIndexes(1));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {7, 7}, store.readLocal(1, 1));
    }

    @Test
    void shouldIgnoreForeignEntriesWhenListing() throws IOException {
        checkpoint(1, 1);
        Files.createDirectories(root().resolve("ckpt-abc"));
        Files.write(root().resolve("notes.txt"), new byte[] {1});

        assertEquals(List.of(CheckpointId.of(1)), store.list());
    }

    @Test
    void shouldNameJobDirectoryWhenDefaultStoreRequested() {
        assertEquals(Path.of("snapline-checkpoints", "job-42"), FileCheckpointStore.defaultDirectory("job-42"));
    }

    @Test
    void shouldRefuseDefaultDirectoryWhenJobIdHasSeparator() {
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> FileCheckpointStore.defaultDirectory("../etc"));

        assertTrue(e.getMessage().contains("'../etc'"), e.getMessage());
    }

    @Test
    void shouldRejectALocalCheckpointWithAFlippedBitNamingTheFile() throws IOException {
        store.writeLocal(3, 2, java.nio.ByteBuffer.wrap(payload(2, 3)));
        Path file = root().resolve("local").resolve("rank-00003").resolve("ckpt-00000000000000000002.piece");
        flipBit(file, 2);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.readLocal(3, 2));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void shouldNameTheFileAndTheFaultWhenVerifyingADamagedLocalCheckpoint() throws IOException {
        byte[] big = new byte[600_000];
        java.util.Arrays.fill(big, (byte) 5);
        store.writeLocal(2, 4, java.nio.ByteBuffer.wrap(big));
        store.writeLocal(2, 5, java.nio.ByteBuffer.wrap(big));
        store.writeLocal(2, 6, java.nio.ByteBuffer.wrap(big));
        Path dir = root().resolve("local").resolve("rank-00002");
        Path flipped = dir.resolve("ckpt-00000000000000000004.piece");
        flipBit(flipped, 500_000);
        Path truncated = dir.resolve("ckpt-00000000000000000005.piece");
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(300_000);
        }
        Path header = dir.resolve("ckpt-00000000000000000006.piece");
        int size = CheckpointFormatDescriptor.PIECE_HEADER_SIZE + 600_000; // written without a fingerprint
        flipBit(header, size - 30); // in the payload length field (bytes 24..31)

        assertEquals(flipped + " has a payload checksum mismatch", assertThrows(CheckpointStoreException.class,
                () -> store.verifyLocal(2, 4, 100)).getMessage());
        assertEquals(truncated + " is 300000 bytes, its header says " + size + " (torn write?)", assertThrows(
                CheckpointStoreException.class, () -> store.verifyLocal(2, 5, 100)).getMessage());
        assertEquals(header + " has a header checksum mismatch", assertThrows(CheckpointStoreException.class,
                () -> store.verifyLocal(2, 6, 100)).getMessage());
        assertEquals(dir.resolve("ckpt-00000000000000000007.piece") + " (local checkpoint) is missing",
                assertThrows(CheckpointStoreException.class, () -> store.verifyLocal(2, 7, 100)).getMessage());
    }

    @Test
    void shouldMoveASetAsideLocalCheckpointOutOfTheStoreWithoutLosingIt() throws IOException {
        byte[] first = payload(1, 0);
        byte[] second = payload(2, 0);
        store.writeLocal(1, 3, java.nio.ByteBuffer.wrap(first));
        Path aside = root().resolve("set-aside").resolve("local").resolve("rank-00001");
        assertEquals(aside.resolve("ckpt-00000000000000000003.piece").toString(), store.setAsideLocal(1, 3));
        assertEquals(List.of(), store.localIndexes(1), "no restart or listing sees it");
        store.writeLocal(1, 3, java.nio.ByteBuffer.wrap(second)); // the restarted run writes the number anew
        assertEquals(aside.resolve("ckpt-00000000000000000003.piece.1").toString(), store.setAsideLocal(1, 3));
        assertTrue(Files.exists(aside.resolve("ckpt-00000000000000000003.piece")));
        assertEquals(Files.size(root().resolve("set-aside").resolve("local").resolve("rank-00001")
                .resolve("ckpt-00000000000000000003.piece.1")), Files.size(aside.resolve("ckpt-00000000000000000003.piece")));
        assertEquals(root().resolve("local").resolve("rank-00001").resolve("ckpt-00000000000000000009.piece")
                + " was missing", store.setAsideLocal(1, 9));
    }

    @Test
    void shouldRejectALocalCheckpointFileRenamedToAnotherNumber() throws IOException {
        store.writeLocal(0, 1, java.nio.ByteBuffer.wrap(payload(1, 0)));
        Path dir = root().resolve("local").resolve("rank-00000");
        Files.move(dir.resolve("ckpt-00000000000000000001.piece"), dir.resolve("ckpt-00000000000000000005.piece"));

        assertEquals(List.of(5L), store.localIndexes(0));
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.readLocal(0, 5));
        assertTrue(e.getMessage().contains("belongs to checkpoint 1"), e.getMessage());
    }

    @Test
    void shouldRejectACorruptRecoveryLineAndKeepItAcrossReopening() throws IOException {
        store.writeRecoveryLine(new long[] {2, 0});
        store.close();
        store = newStore();
        assertArrayEquals(new long[] {2, 0}, store.recoveryLine().orElseThrow());

        flipBit(root().resolve("local").resolve("RECOVERY-LINE"), 12);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.recoveryLine());
        assertTrue(e.getMessage().contains("RECOVERY-LINE"), e.getMessage());
    }

    @Test
    void shouldRefuseAnOlderFormatsCheckpointInsteadOfSkippingItAsDamaged() throws IOException {
        Files.createDirectories(dir(7));
        for (String name : List.of("MANIFEST", "rank-00000.piece")) {
            try (var in = getClass().getResourceAsStream("/checkpoint-format/v1/" + name)) {
                Files.write(dir(7).resolve(name), in.readAllBytes());
            }
        }

        CheckpointFormatException latest = assertThrows(CheckpointFormatException.class, () -> store.latest());
        CheckpointFormatException fingerprint = assertThrows(CheckpointFormatException.class,
                () -> store.fingerprint(CheckpointId.of(7)));

        assertTrue(latest.getMessage().contains(manifestFile(7) + " was written in checkpoint format 1"),
                latest.getMessage());
        assertEquals(latest.getMessage(), fingerprint.getMessage());
        assertEquals(List.of(CheckpointId.of(7)), store.list());
    }

    @Test
    void shouldReadALocalFingerprintWithoutReadingThePayloadWhenThePayloadIsTorn() throws IOException {
        store.close();
        store = newStore(JOB);
        store.writeLocal(2, 1, java.nio.ByteBuffer.wrap(new byte[4096]));
        Path file = root().resolve("local").resolve("rank-00002").resolve("ckpt-00000000000000000001.piece");
        truncate(file, 4000);

        assertEquals(java.util.Optional.of(JOB), store.localFingerprint(2, 1));
        assertThrows(CheckpointStoreException.class, () -> store.readLocal(2, 1));
    }

    @Test
    void shouldKeepAnEventStreamAcrossReopeningAndLeaveOutATornLastRecord() throws IOException {
        CheckpointStore store = newStore(null);
        store.appendEvents(2, new byte[] {1, 2, 3});
        store.appendEvents(2, new byte[] {4});
        store.close();
        Path events = root().resolve("local").resolve("rank-00002").resolve("EVENTS");
        Files.write(events, new byte[] {9, 0, 0, 0, 1, 2}, java.nio.file.StandardOpenOption.APPEND); // torn third
        CheckpointStore again = newStore(null);
        List<byte[]> records = again.readEvents(2);
        assertEquals(2, records.size());
        assertArrayEquals(new byte[] {1, 2, 3}, records.get(0));
        assertArrayEquals(new byte[] {4}, records.get(1));
        assertTrue(again.localIndexes(2).isEmpty(), "an event stream is not a local checkpoint");
        again.replaceEvents(2, List.of(new byte[] {4}));
        assertEquals(1, again.readEvents(2).size());
        again.replaceEvents(2, List.of());
        assertFalse(Files.exists(events));
        again.close();
    }

    @Test
    void shouldRefuseAnEventStreamDamagedBeforeItsLastRecord() throws IOException {
        CheckpointStore store = newStore(null);
        store.appendEvents(0, new byte[] {1, 2, 3});
        store.appendEvents(0, new byte[] {4});
        Path events = root().resolve("local").resolve("rank-00000").resolve("EVENTS");
        byte[] bytes = Files.readAllBytes(events);
        bytes[9] ^= 1; // a bit of the first record's data
        Files.write(events, bytes);
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> store.readEvents(0));
        assertTrue(e.getMessage().endsWith("is damaged: record 1 fails its CRC32C check"), e.getMessage());
        store.close();
    }
}
