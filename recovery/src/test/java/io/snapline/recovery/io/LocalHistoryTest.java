package io.snapline.recovery.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.Consistency;
import io.snapline.recovery.LineAnalysis;
import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Histories and restart lines rebuilt from stores of local checkpoints written by scripted jobs. */
class LocalHistoryTest {
    @TempDir
    Path dir;
    private FileCheckpointStore store;

    @BeforeEach
    void open() {
        store = new FileCheckpointStore(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void shouldPlaceEverySendAndReceiveWhenReadingAStoreOfLocalCheckpoints() {
        LocalJob job = new LocalJob(3, store);
        job.deliver(0, 1);                          // rank 0 interval 0 -> rank 1 interval 0
        job.checkpoint(0);
        job.checkpoint(1);
        LocalJob.Sent b = job.send(1, 2);           // rank 1 interval 1
        job.checkpoint(2);
        job.receive(b);                             // rank 2 interval 1
        job.checkpoint(2);
        LocalJob.Sent c = job.send(2, 0);           // rank 2 interval 2: after its last checkpoint
        job.receive(c);                             // rank 0 interval 1
        job.checkpoint(0);
        job.send(1, 0);                             // rank 1 interval 1, never received
        job.checkpoint(1);
        job.send(0, 1);                             // rank 0's open interval: in no record

        LocalHistory.Read read = LocalHistory.read(store, 3);

        History h = read.history();
        assertEquals(List.of(), read.warnings());
        assertEquals(0, read.messagesBeforeWindow());
        for (int r = 0; r < 3; r++) {
            assertEquals(List.of(0L, 1L, 2L), read.localIndexes().get(r));
            assertEquals(List.of(0L, 1L, 2L), h.rank(r).checkpoints().stream().map(Checkpoint::id).toList());
            assertTrue(h.rank(r).checkpoint(1).timeNanos() < h.rank(r).checkpoint(2).timeNanos());
        }
        assertEquals(Set.of(
                Message.of(0, 0, 1, 0, 1),
                Message.of(1, 1, 2, 1, 1),
                Message.of(1, 1, 0, Message.NOT_RECEIVED, 1),
                Message.of(2, 2, 0, 1, 1)), Set.copyOf(h.messages()));
        assertEquals(4, h.messages().size());
        // the unreceived one holds rank 1 at 1, so its send to rank 2 must go, and so on around to rank 0
        assertArrayEquals(new long[] {1, 1, 1}, LocalRecovery.restartLine(read));
    }

    @Test
    void shouldRestartEveryRankFromTheStartWhenMessagesAlternateLikeDominoes() {
        LocalJob job = new LocalJob(2, store);
        job.deliver(0, 1);
        job.checkpoint(1);
        job.deliver(1, 0);
        job.checkpoint(0);
        job.deliver(0, 1);
        job.checkpoint(1);
        job.deliver(1, 0);
        job.checkpoint(0);
        job.deliver(0, 1);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertArrayEquals(new long[] {0, 0}, LocalRecovery.restartLine(read));
        assertEquals(3, new RecoveryAnalyzer(read.history()).uselessCheckpoints().size(), "every checkpoint but "
                + "rank 0's last (it sent nothing after it) is on a Z-cycle");
    }

    /** Rank 0 sends z after its checkpoint 2 and rank 2 sends w after its 3, neither received; y links 1 to 2. */
    private void staggered(LocalJob job) {
        job.deliver(0, 1);
        job.checkpoint(0);
        job.checkpoint(1);
        job.checkpoint(2);
        job.deliver(2, 0);                          // rank 2 interval 1 -> rank 0 interval 1
        job.checkpoint(0);
        job.checkpoint(2);
        LocalJob.Sent y = job.send(1, 2);           // rank 1 interval 1
        job.checkpoint(2);
        job.receive(y);                             // rank 2 interval 3
        job.checkpoint(1);
        job.send(0, 1);                             // z: rank 0 interval 2, never received
        job.checkpoint(0);
        LocalJob.Sent w = job.send(2, 0);           // rank 2 interval 3
        job.checkpoint(2);
        job.receive(w);                             // after rank 0's last checkpoint: in transit
    }

    @Test
    void shouldMixDifferentCheckpointsPerRankWhenTheLineIsStaggered() {
        staggered(new LocalJob(3, store));

        LocalHistory.Read read = LocalHistory.read(store, 3);

        assertEquals(List.of(3L, 2L, 4L), List.of(read.last(0), read.last(1), read.last(2)));
        long[] line = LocalRecovery.restartLine(read);
        assertArrayEquals(new long[] {2, 1, 3}, line);
        LineAnalysis analysis = new RecoveryAnalyzer(read.history()).analyse(RecoveryLine.of(2, 1, 3));
        assertEquals(Consistency.STRONGLY_CONSISTENT, analysis.consistency());
    }

    @Test
    void shouldNotKeepBothEndsOfAMessageWhenItIsReceivedAfterTheReceiversLastCheckpoint() {
        LocalJob job = new LocalJob(2, store);
        LocalJob.Sent m = job.send(0, 1);           // rank 0 interval 0
        job.checkpoint(0);
        job.checkpoint(1);
        job.deliver(0, 1);                          // both in interval 1
        job.checkpoint(0);
        job.receive(m);                             // rank 1's open interval

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertTrue(read.history().messages().contains(Message.of(0, 0, 1, Message.NOT_RECEIVED, m.seq())));
        LineAnalysis latest = new RecoveryAnalyzer(read.history()).analyse(RecoveryLine.of(1, 1));
        assertEquals(Consistency.CONSISTENT, latest.consistency());
        assertEquals(List.of(Message.of(0, 0, 1, Message.NOT_RECEIVED, m.seq())), latest.inTransit());
        assertArrayEquals(new long[] {0, 1}, LocalRecovery.restartLine(read),
                "rank 0 must roll back before the send nobody would deliver again");
    }

    /** Both ranks take checkpoints 1, 2 and 3, each interval with one message inside it. */
    private void lockstep(LocalJob job) {
        job.deliver(0, 1);
        job.checkpoint(0);
        job.checkpoint(1);
        job.deliver(1, 0);
        job.checkpoint(0);
        job.checkpoint(1);
        job.deliver(0, 1);
        job.checkpoint(0);
        job.checkpoint(1);
    }

    @Test
    void shouldTreatACorruptCheckpointAsAGapWhenItsChecksumFails() throws IOException {
        lockstep(new LocalJob(2, store));
        assertArrayEquals(new long[] {3, 3}, LocalRecovery.restartLine(store, 2));
        Path file = flipByte(1, 2);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertEquals(List.of("rank 1's local checkpoint 2: " + file + " has a payload checksum mismatch; it and rank "
                + "1's later checkpoint 3 are left out (the intervals after it cannot be rebuilt)"), read.warnings());
        assertEquals(List.of(new LocalHistory.Damage(1, 2, file + " has a payload checksum mismatch")),
                read.damaged());
        assertEquals(List.of(0L, 1L), read.localIndexes().get(1));
        // rank 1's send in its lost interval 1 now lies in its open interval; rank 0 accepted it in interval 1
        assertTrue(read.history().messages().contains(Message.of(1, 1, 0, 1, 1)));
        assertArrayEquals(new long[] {1, 1}, LocalRecovery.restartLine(read));
    }

    @Test
    void shouldStartTheWindowAtTheFloorWhenOlderCheckpointsWereDeleted() {
        staggered(new LocalJob(3, store));
        long[] line = LocalRecovery.restartLine(store, 3);
        store.writeRecoveryLine(line); // as garbage collection does, before it deletes
        for (int r = 0; r < 3; r++) {
            for (long k = 1; k < line[r]; k++) {
                store.deleteLocal(r, k);
            }
        }

        LocalHistory.Read read = LocalHistory.read(store, 3);

        assertEquals(List.of(), read.warnings());
        assertEquals(List.of(List.of(2L, 3L), List.of(1L, 2L), List.of(3L, 4L)), read.localIndexes());
        assertEquals(List.of(2L, 3L), read.history().rank(0).checkpoints().stream().map(Checkpoint::id).toList());
        assertArrayEquals(line, LocalRecovery.restartLine(read), "deleting below the line does not move it");
        assertEquals(2, read.history().messages().stream().filter(m -> !m.received()).count(), "z and w stay in "
                + "transit");
        assertEquals(0, read.messagesBeforeWindow(), "the floor is strongly consistent: no message crosses it");
    }

    @Test
    void shouldIgnoreCheckpointsBelowTheFloorWhenTheirDeletionWasInterrupted() throws IOException {
        lockstep(new LocalJob(2, store));
        store.writeRecoveryLine(new long[] {2, 2});
        store.deleteLocal(1, 1);   // rank 0's checkpoint 1 is still there, and damaged: it does not matter
        flipByte(0, 1);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertEquals(List.of(), read.warnings());
        assertEquals(List.of(List.of(2L, 3L), List.of(2L, 3L)), read.localIndexes());
        assertArrayEquals(new long[] {3, 3}, LocalRecovery.restartLine(read));
    }

    @Test
    void shouldRestartFromALaterCheckpointWhenTheFloorCheckpointIsDamaged() throws IOException {
        lockstep(new LocalJob(2, store));
        store.writeRecoveryLine(new long[] {2, 2});
        store.deleteLocal(0, 1);
        store.deleteLocal(1, 1);
        Path file = flipByte(0, 2);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertEquals(List.of(new LocalHistory.Damage(0, 2, file + " has a payload checksum mismatch")),
                read.damaged());
        assertEquals(List.of("rank 0's local checkpoint 2: " + file + " has a payload checksum mismatch; it is the "
                + "oldest checkpoint the store keeps for rank 0 (older ones were deleted), so rank 0 cannot restart "
                + "from it"), read.warnings());
        // both ranks get their start before the floor; rank 0's interval 2, recorded in its checkpoint 3, is kept
        assertEquals(List.of(List.of(0L, 3L), List.of(0L, 2L, 3L)), read.localIndexes());
        assertEquals(0, read.messagesBeforeWindow());
        assertTrue(read.history().messages().contains(Message.of(0, 0, 1, 1, 2)), read.history().messages()
                .toString());
        assertArrayEquals(new long[] {3, 3}, LocalRecovery.restartLine(read));
    }

    /**
     * Four ranks pass a token around a ring in every interval and checkpoint 1..4 in lockstep; garbage collection
     * moved the floor to 3 (checkpoints 1 and 2 are gone), as in a store of {@code --every N}.
     */
    private LocalJob ringStore() {
        LocalJob job = new LocalJob(4, store);
        for (int k = 1; k <= 4; k++) {
            for (int r = 0; r < 4; r++) {
                job.deliver(r, (r + 1) % 4);
            }
            for (int r = 0; r < 4; r++) {
                job.checkpoint(r);
            }
        }
        store.writeRecoveryLine(new long[] {3, 3, 3, 3});
        for (int r = 0; r < 4; r++) {
            store.deleteLocal(r, 1);
            store.deleteLocal(r, 2);
        }
        return job;
    }

    @Test
    void shouldStartEveryRankFromTheBeginningWhenOneRanksCheckpointsAreDeleted() {
        ringStore();
        assertArrayEquals(new long[] {4, 4, 4, 4}, LocalRecovery.restartLine(store, 4));
        store.deleteLocal(1, 3);
        store.deleteLocal(1, 4);

        LocalHistory.Read read = LocalHistory.read(store, 4);

        Path missing = dir.resolve("local/rank-00001/ckpt-00000000000000000003.piece");
        assertEquals(List.of(new LocalHistory.Damage(1, 3, missing + " (local checkpoint) is missing")),
                read.damaged());
        assertEquals(List.of("rank 1's local checkpoint 3: " + missing + " (local checkpoint) is missing; it is the "
                + "oldest checkpoint the store keeps for rank 1 (older ones were deleted), so rank 1 cannot restart "
                + "from it and can only start again from the beginning"), read.warnings());
        long[] line = LocalRecovery.restartLine(read);
        assertArrayEquals(new long[] {0, 0, 0, 0}, line, "not [3, 0, 3, 3]: the others' checkpoints 3 follow "
                + "messages to and from rank 1 that its start undoes");
        assertTrue(LocalRecovery.whyTheBeginning(read).startsWith("it is the only consistent recovery line over the "
                + "verified local checkpoints, since 1 of them cannot be used (rank 1's local checkpoint 3: "
                + missing + " (local checkpoint) is missing); the checkpoints below [3, 3, 3, 3] were deleted "
                + "earlier"), LocalRecovery.whyTheBeginning(read));
    }

    @Test
    void shouldStartEveryRankFromTheBeginningWhenOneRanksCheckpointsAreCorrupt() throws IOException {
        ringStore();
        Path third = flipByte(1, 3);
        Path fourth = flipByte(1, 4);

        LocalHistory.Read read = LocalHistory.read(store, 4);

        assertEquals(List.of(new LocalHistory.Damage(1, 3, third + " has a payload checksum mismatch"),
                new LocalHistory.Damage(1, 4, fourth + " has a payload checksum mismatch")), read.damaged());
        assertArrayEquals(new long[] {0, 0, 0, 0}, LocalRecovery.restartLine(read));
    }

    @Test
    void shouldFallBackOneCheckpointWhenTheNewestPieceOfARankIsTruncated() throws IOException {
        ringStore();
        Path file = dir.resolve("local/rank-00002/ckpt-00000000000000000004.piece");
        long size = Files.size(file);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 10);
        }

        LocalHistory.Read read = LocalHistory.read(store, 4);

        assertEquals(List.of(new LocalHistory.Damage(2, 4, file + " is " + (size - 10) + " bytes, its header says "
                + size + " (torn write?)")), read.damaged());
        assertArrayEquals(new long[] {3, 3, 3, 3}, LocalRecovery.restartLine(read));
        assertEquals(null, LocalRecovery.whyTheBeginning(LocalHistory.read(new FileCheckpointStore(dir.resolve("x")),
                4)), "an empty store needs no explanation");
    }

    @Test
    void shouldNameTheFileWhenAPieceHoldsAnotherCheckpoint() throws IOException {
        lockstep(new LocalJob(2, store));
        Path dirOf1 = dir.resolve("local/rank-00001");
        Files.copy(dir.resolve("local/rank-00000/ckpt-00000000000000000003.piece"),
                dirOf1.resolve("ckpt-00000000000000000003.piece"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertEquals(1, read.damaged().size());
        assertEquals(dirOf1.resolve("ckpt-00000000000000000003.piece") + " belongs to checkpoint 3 rank 0 with "
                + read.damaged().get(0).problem().split(" with ")[1], read.damaged().get(0).problem());
        assertArrayEquals(new long[] {2, 2}, LocalRecovery.restartLine(read));
    }

    @Test
    void shouldLeaveTheRestOutWithAWarningWhenAnEntryIsMissingOrMislabelled() {
        LocalJob job = new LocalJob(2, null);
        lockstep(job);
        List<List<LocalHistory.Entry>> entries = job.entries();
        List<LocalHistory.Entry> gap = new ArrayList<>(entries.get(0));
        gap.remove(1);                              // checkpoint 2 of rank 0 missing
        List<LocalHistory.Entry> mislabelled = new ArrayList<>(entries.get(1));
        LocalHistory.Entry third = mislabelled.get(2);
        mislabelled.set(2, new LocalHistory.Entry(3, entries.get(1).get(0).record(), third.closedAtNanos()));

        LocalHistory.Read read = LocalHistory.build(2, new long[2], List.of(gap, mislabelled));

        assertEquals(List.of("rank 0: local checkpoint 2 is missing, so its checkpoints from 3 on are left out (the "
                + "intervals after the gap cannot be rebuilt)", "rank 1: local checkpoint 3 holds the record of "
                + "interval 0, not 2, so it and its later checkpoints are left out"), read.warnings());
        assertEquals(List.of(List.of(0L, 1L), List.of(0L, 1L, 2L)), read.localIndexes());
    }

    @Test
    void shouldKeepARankWithoutCheckpointsAtItsStartWhenItNeverCheckpointed() {
        LocalJob job = new LocalJob(3, store);
        job.deliver(2, 0);                          // rank 2 never checkpoints: its send is in its open interval
        job.checkpoint(0);
        job.checkpoint(1);

        LocalHistory.Read read = LocalHistory.read(store, 3);

        assertEquals(List.of(0L), read.localIndexes().get(2));
        assertTrue(read.history().messages().contains(Message.of(2, 0, 0, 0, 1)));
        assertArrayEquals(new long[] {0, 1, 0}, LocalRecovery.restartLine(read), "rank 0 accepted a message rank 2 "
                + "would send again");
    }

    @Test
    void shouldRejectArgumentsThatDoNotDescribeTheRanksWhenBuilding() {
        RecoveryException e = assertThrows(RecoveryException.class,
                () -> LocalHistory.build(2, new long[1], List.of(List.of(), List.of())));
        assertEquals("a local history needs ranks >= 1 and one base and one entry list per rank; got ranks 2, 1 "
                + "base(s), 2 entry list(s)", e.getMessage());
        RecoveryException negative = assertThrows(RecoveryException.class,
                () -> LocalHistory.build(1, new long[] {-1}, List.of(List.of())));
        assertTrue(negative.getMessage().startsWith("rank 0 has base -1"), negative.getMessage());
    }

    @Test
    void shouldWarnAboutRanksBeyondTheJobWhenTheStoreHoldsMore() {
        LocalJob job = new LocalJob(3, store);
        job.checkpoint(2);

        LocalHistory.Read read = LocalHistory.read(store, 2);

        assertEquals(List.of("the local checkpoints of rank 2 are ignored: the job has ranks 0..1"), read.warnings());
        assertEquals(2, read.history().rankCount());
    }

    /** Flips a byte in the program state of rank {@code rank}'s local checkpoint {@code index}; returns the file. */
    private Path flipByte(int rank, long index) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dir.resolve("local").resolve(String.format("rank-%05d", rank)))) {
            file = files.filter(p -> p.getFileName().toString().endsWith(index + ".piece")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(file, bytes);
        return file;
    }

    @Test
    void shouldTakeTheTimeFromTheRecordWhenAnEntryGivesNone() {
        DependencyRecord record = DependencyRecord.decode(
                LocalJob.record(0, 1234, new long[1], List.of(), List.of()));
        assertEquals(1_234_000_000L, new LocalHistory.Entry(1, record).closedAtNanos());
    }
}
