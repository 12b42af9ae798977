package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's garbage collection of local checkpoints, driven by hand-made dependency records whose pieces are
 * written to a real store.
 */
class IndependentCoordinatorTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    static Path tmp;

    /** Records what the coordinator asks of the supervisor; the local checkpoints live in a file store. */
    static final class Services implements CoordinatorServices {
        final List<String> calls = new ArrayList<>();
        final RestoreFrom[] restored;
        final FileCheckpointStore store;

        Services(RestoreFrom... restored) {
            this.restored = restored;
            try {
                this.store = new FileCheckpointStore(Files.createTempDirectory(tmp, "store"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public LocalCheckpointStore localStore() {
            return store;
        }

        @Override
        public int ranks() {
            return restored.length;
        }

        @Override
        public PolicySettings settings() {
            return PolicySettings.of("independent", null, java.util.Map.of("--every", "1"));
        }

        @Override
        public void send(int rank, byte[] message) {
            calls.add("send " + rank);
        }

        @Override
        public CheckpointId nextId() {
            return CheckpointId.of(1);
        }

        @Override
        public boolean commit(Manifest manifest, long point, long[] blockedNanos) {
            throw new AssertionError("independent checkpoints commit no manifest");
        }

        @Override
        public RestoreFrom restoredFrom(int rank) {
            return restored[rank];
        }

        @Override
        public void localCommitted(int rank, long index, long point, long bytes, long blockedNanos) {
            calls.add("committed " + rank + ":" + index);
        }

        @Override
        public void discardLocal(int rank, long index) {
            long[] floor = store.recoveryLine().orElseThrow(() -> new AssertionError("deleted before recording"));
            if (index >= floor[rank]) {
                throw new AssertionError("rank " + rank + "'s checkpoint " + index + " deleted at or above the "
                        + "recorded floor " + java.util.Arrays.toString(floor));
            }
            store.deleteLocal(rank, index);
            calls.add("discard " + rank + ":" + index);
        }

        @Override
        public void fail(String reason) {
            calls.add("fail " + reason);
        }

        @Override
        public void log(String line) {
        }

        @Override
        public void warn(String warning) {
            calls.add("warn " + warning);
        }

        @Override
        public void intervalChosen(int rank, io.snapline.runtime.checkpoint.IntervalChooser.Choice choice) {
            calls.add("interval " + rank + ": " + choice.describe());
        }
    }

    /** A dependency record in the runtime's format; {@code sends} are (to, seq), {@code receives} (from, seq, interval). */
    static byte[] record(int interval, int ranks, long[][] sends, long[][] receives) {
        ByteBuffer b = ByteBuffer.allocate(16 + 8 * ranks + 4 + 12 * sends.length + 4 + 16 * receives.length);
        b.putInt(interval).putLong(1000L * interval).putInt(ranks);
        for (int r = 0; r < ranks; r++) {
            b.putLong(0);
        }
        b.putInt(sends.length);
        for (long[] s : sends) {
            b.putInt((int) s[0]).putLong(s[1]);
        }
        b.putInt(receives.length);
        for (long[] r : receives) {
            b.putInt((int) r[0]).putLong(r[1]).putInt((int) r[2]);
        }
        return b.array();
    }

    /** Rank {@code rank} writes its local checkpoint {@code index} with this record and reports it. */
    private static void report(Services s, IndependentCoordinator c, int rank, long index, long[][] sends,
            long[][] receives) {
        byte[] record = record((int) index - 1, 2, sends, receives);
        RankImage image = new RankImage(rank, 2, index, index * 10, 3, 0, List.of(), new byte[0], record,
                ByteBuffer.wrap(new byte[64]));
        s.store.writeLocal(rank, index, image.encodeParts());
        c.onRankMessage(rank, new LocalReport(index, index * 10, 100, 5, record).encode());
    }

    private static final long[][] NONE = new long[0][];

    @Test
    void shouldHandTheIntervalARankChoseToTheSupervisor() {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);
        c.onRankMessage(1, LocalReport.interval(new io.snapline.runtime.checkpoint.IntervalChooser.Choice(4,
                632_000_000L, 10_000_000L, "young: sqrt(2 * 10.0 ms * 20.0 s) = 632.5 ms; t_c of checkpoint 4", 77)));
        assertEquals(List.of("interval 1: interval 632.0 ms after checkpoint 4 (young: sqrt(2 * 10.0 ms * 20.0 s) = "
                + "632.5 ms; t_c of checkpoint 4)"), s.calls);
    }

    @Test
    void shouldDeleteEveryCheckpointOlderThanTheLineForAFailureOfEveryRank() {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);

        report(s, c, 0, 1, new long[][] {{1, 1}}, NONE);
        report(s, c, 1, 1, NONE, new long[][] {{0, 1, 0}});
        c.onTick(10 * SECOND);
        assertEquals(List.of("committed 0:1", "committed 1:1"), s.calls, "line [1, 1]: nothing older to delete");

        report(s, c, 0, 2, new long[][] {{1, 2}}, NONE);
        report(s, c, 1, 2, NONE, NONE);
        c.onTick(11 * SECOND);
        // Message 2 is sent before rank 0's checkpoint 2 and not received before rank 1's: line [1, 2].
        assertEquals(List.of("committed 0:2", "committed 1:2", "discard 1:1"), s.calls.subList(2, s.calls.size()));

        report(s, c, 1, 3, NONE, new long[][] {{0, 2, 1}});
        report(s, c, 0, 3, NONE, NONE);
        c.onTick(11 * SECOND + 1);
        assertEquals(7, s.calls.size(), "no collection within a quarter second of the last: " + s.calls);
        c.onTick(12 * SECOND);
        assertEquals(List.of("committed 1:3", "committed 0:3", "discard 0:1", "discard 0:2", "discard 1:2"),
                s.calls.subList(5, s.calls.size()));
    }

    @Test
    void shouldStartFromTheRestoredLineAfterARestart() {
        Services s = new Services(RestoreFrom.local(4), null);
        IndependentCoordinator c = new IndependentCoordinator(s);

        report(s, c, 0, 5, NONE, NONE);
        report(s, c, 1, 1, NONE, NONE);
        c.onTick(5 * SECOND);

        assertEquals(List.of("committed 0:5", "committed 1:1", "discard 0:4"), s.calls);
    }

    @Test
    void shouldCollectOnceMoreWhenEveryRankHasFinished() {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);
        report(s, c, 0, 1, NONE, NONE);
        report(s, c, 1, 1, NONE, NONE);
        c.onTick(SECOND);
        report(s, c, 0, 2, NONE, NONE);
        report(s, c, 1, 2, NONE, NONE);

        c.onRankFinished(0);
        assertEquals(4, s.calls.size(), "one rank still runs: " + s.calls);
        c.onRankFinished(1);

        assertEquals(List.of("discard 0:1", "discard 1:1"), s.calls.subList(4, s.calls.size()));
    }

    @Test
    void shouldWarnOnceWhenTheLineStaysWhileCheckpointsPileUp() {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);
        long seq = 0;
        for (int k = 1; k <= IndependentCoordinator.STALLED_PER_RANK; k++) {
            // In every interval each rank sends the other a message the other receives in its next interval: every
            // pair of checkpoints has one in transit, so the line stays at the start.
            seq++;
            long[][] received = k == 1 ? NONE : new long[][] {{1, seq - 1, k - 2}};
            report(s, c, 0, k, new long[][] {{1, seq}}, received);
            long[][] receivedBy1 = k == 1 ? NONE : new long[][] {{0, seq - 1, k - 2}};
            report(s, c, 1, k, new long[][] {{0, seq}}, receivedBy1);
            c.onTick(k * SECOND);
        }
        report(s, c, 0, 9, NONE, NONE);
        c.onTick(20 * SECOND);

        List<String> warnings = s.calls.stream().filter(x -> x.startsWith("warn ")).toList();
        assertEquals(1, warnings.size(), s.calls.toString());
        assertTrue(warnings.get(0).contains("none of the 8 local checkpoints taken since [0, 0] can be on a recovery "
                + "line yet"), warnings.get(0));
        assertTrue(s.calls.stream().noneMatch(x -> x.startsWith("discard")), s.calls.toString());
    }

    @Test
    void shouldRecordTheLineInTheStoreBeforeDeletingBelowIt() {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);
        report(s, c, 0, 1, NONE, NONE);
        report(s, c, 1, 1, NONE, NONE);
        report(s, c, 0, 2, NONE, NONE);
        report(s, c, 1, 2, NONE, NONE);

        c.onTick(SECOND);

        assertArrayEquals(new long[] {2, 2}, s.store.recoveryLine().orElseThrow());
        assertEquals(List.of(2L), s.store.localIndexes(0));
        assertEquals(List.of("discard 0:1", "discard 1:1"), s.calls.subList(4, s.calls.size()));
    }

    @Test
    void shouldKeepWhatALineBeforeADamagedCheckpointNeedsWhenTheLineWouldPassIt() throws Exception {
        Services s = new Services(null, null);
        IndependentCoordinator c = new IndependentCoordinator(s);
        report(s, c, 0, 1, NONE, NONE);
        report(s, c, 1, 1, NONE, NONE);
        c.onTick(SECOND);
        report(s, c, 0, 2, NONE, NONE);
        report(s, c, 1, 2, NONE, NONE);
        report(s, c, 0, 3, new long[][] {{1, 1}}, NONE);      // sent in rank 0's interval 2 ...
        report(s, c, 1, 3, NONE, new long[][] {{0, 1, 2}});   // ... received in rank 1's, recorded in its damaged 3
        Path damaged = Path.of(s.store.localLocation(1, 3));
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length - 5] ^= 1;
        Files.write(damaged, bytes);

        c.onTick(2 * SECOND);

        List<String> warnings = s.calls.stream().filter(x -> x.startsWith("warn ")).toList();
        assertEquals(List.of("warn rank 1's local checkpoint 3: " + damaged + " has a payload checksum mismatch; a "
                + "restart cannot use it or rank 1's later checkpoints, so rank 1's checkpoints from 1 on, and what a "
                + "line through them needs, are kept until the job restarts"), warnings);
        assertArrayEquals(new long[] {2, 2}, s.store.recoveryLine().orElseThrow(), "the line before the damage");
        assertEquals(List.of(2L, 3L), s.store.localIndexes(0));
        assertEquals(List.of(2L, 3L), s.store.localIndexes(1));

        report(s, c, 0, 4, NONE, NONE);
        report(s, c, 1, 4, NONE, NONE);
        c.onTick(3 * SECOND);
        assertArrayEquals(new long[] {2, 2}, s.store.recoveryLine().orElseThrow(), "rank 1 cannot pass its damaged "
                + "checkpoint 3 until the job restarts, and rank 0's message to it holds rank 0 at 2 as well");
        assertEquals(List.of(2L, 3L, 4L), s.store.localIndexes(0));
        assertEquals(1, s.calls.stream().filter(x -> x.startsWith("warn ")).count(), "warned once: " + s.calls);
    }
}
