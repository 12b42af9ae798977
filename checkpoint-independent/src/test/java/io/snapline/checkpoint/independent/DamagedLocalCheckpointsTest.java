package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.json.JsonText;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mpi.MPI;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store of {@code --checkpoint independent --logging none --every 500} whose local checkpoints are damaged between
 * a failed run and {@code --resume} (rank 1's pieces deleted, a byte flipped in each, its newest one truncated), and a
 * rank killed while it writes: the job resumes from the latest strongly consistent line over the verified
 * checkpoints, names every damaged file on standard error and in the run report, keeps what that line needs, and
 * prints the failure-free result.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DamagedLocalCheckpointsTest {
    private static final String STEPS = "2000";
    private static final String FAIL_AT = "rank=2,point=1800";

    @TempDir
    Path tmp;

    private static List<String> clean;

    /**
     * Four ranks in a ring exchange a value with both neighbours at every step and mark one safe point per step, so a
     * consistent line restores the same step on every rank.
     */
    public static class RingExchange {
        static final class State {
            int step;
            double value;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                f.value = rank + 0.5;
                return f;
            });
            double[] mine = new double[1];
            double[] left = new double[1];
            double[] right = new double[1];
            while (s.step < steps) {
                mine[0] = s.value;
                MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, (rank + 1) % size, 3, left, 0, 1, MPI.DOUBLE,
                        (rank + size - 1) % size, 3);
                MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, (rank + size - 1) % size, 4, right, 0, 1, MPI.DOUBLE,
                        (rank + 1) % size, 4);
                s.value = Math.sin(s.value) * 0.5 + Math.cos(left[0]) * 0.25 + Math.sin(right[0]) * 0.25
                        + s.step * 1e-4;
                s.step++;
                if (s.step % 4 == 0) {
                    Thread.sleep(1);
                }
                Checkpoint.point(s);
            }
            double[] all = new double[size];
            MPI.COMM_WORLD.Gather(new double[] {s.value}, 0, 1, MPI.DOUBLE, all, 0, 1, MPI.DOUBLE, 0);
            if (rank == 0) {
                for (int r = 0; r < size; r++) {
                    System.out.println("rank " + r + " value " + Long.toHexString(Double.doubleToLongBits(all[r])));
                }
            }
            MPI.Finalize();
        }
    }

    /**
     * {@link RingExchange}, except that at step 1100 rank 1 flips a byte in its own local checkpoint 2 (taken at step
     * 1000; it waits until the file is there) in the store named by the second argument, once per job (a marker file
     * remembers it).
     */
    public static class SelfDamagingRing {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            Path store = Path.of(rest[1]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            RingExchange.State s = Checkpoint.restoreOr(() -> {
                RingExchange.State f = new RingExchange.State();
                f.value = rank + 0.5;
                return f;
            });
            double[] mine = new double[1];
            double[] left = new double[1];
            double[] right = new double[1];
            while (s.step < steps) {
                mine[0] = s.value;
                MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, (rank + 1) % size, 3, left, 0, 1, MPI.DOUBLE,
                        (rank + size - 1) % size, 3);
                MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, (rank + size - 1) % size, 4, right, 0, 1, MPI.DOUBLE,
                        (rank + 1) % size, 4);
                s.value = Math.sin(s.value) * 0.5 + Math.cos(left[0]) * 0.25 + Math.sin(right[0]) * 0.25
                        + s.step * 1e-4;
                s.step++;
                if (s.step % 4 == 0) {
                    Thread.sleep(1);
                }
                if (rank == 1 && s.step == 1100 && !Files.exists(store.resolve("damaged"))) {
                    Path own = piece(store, 1, 2);
                    while (!Files.exists(own)) {
                        Thread.sleep(1); // the writer thread commits it by its rename
                    }
                    flipByte(own);
                    Files.createFile(store.resolve("damaged"));
                }
                Checkpoint.point(s);
            }
            double[] all = new double[size];
            MPI.COMM_WORLD.Gather(new double[] {s.value}, 0, 1, MPI.DOUBLE, all, 0, 1, MPI.DOUBLE, 0);
            if (rank == 0) {
                for (int r = 0; r < size; r++) {
                    System.out.println("rank " + r + " value " + Long.toHexString(Double.doubleToLongBits(all[r])));
                }
            }
            MPI.Finalize();
        }

        /** The file of rank {@code rank}'s local checkpoint {@code index} in {@code store}. */
        static Path piece(Path store, int rank, long index) {
            return store.resolve("local").resolve(String.format("rank-%05d", rank))
                    .resolve(String.format("ckpt-%020d.piece", index));
        }

        static void flipByte(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 1] ^= 0x08; // in the payload, which runs to the end of the file
            Files.write(file, bytes);
        }
    }

    @BeforeAll
    static void failureFree() {
        MpiRun.Outcome o = MpiRun.run(4, List.of(), RingExchange.class, STEPS);
        assertTrue(o.result().succeeded(), o.err());
        clean = o.lines();
    }

    /** What the failed first run left: the floor it recorded and each rank's local checkpoints. */
    private record Left(long[] floor, List<List<Long>> present) {
        long newest(int rank) {
            List<Long> own = present.get(rank);
            return own.get(own.size() - 1);
        }
    }

    /** Runs the job until rank 2 is killed, with no restart allowed; returns what the store holds. */
    private Left failedRun(Path store) {
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "500",
                "--max-restarts", "0", "--inject-failure", FAIL_AT, "--store", store.toString()), RingExchange.class,
                STEPS);
        assertEquals(1, o.result().exitCode(), o.err());
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            long[] floor = s.recoveryLine().orElseThrow(() -> new AssertionError("no floor recorded: " + o.err()));
            List<List<Long>> present = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                present.add(s.localIndexes(r));
                assertEquals(floor[r], (long) present.get(r).get(0), "rank " + r + " keeps its checkpoints from the "
                        + "floor " + Arrays.toString(floor) + " on: " + present);
            }
            // The ranks checkpoint at steps 500, 1000 and 1500 and exchange messages at every step: garbage
            // collection keeps the same checkpoint on every rank.
            assertTrue(floor[0] >= 1 && Arrays.stream(floor).allMatch(f -> f == floor[0]), Arrays.toString(floor));
            return new Left(floor, present);
        }
    }

    private MpiRun.Outcome resume(Path store) {
        return MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "500",
                "--resume", store.toString(), "--report", tmp.resolve("report.json").toString()), RingExchange.class,
                STEPS);
    }

    private static Path piece(Path store, int rank, long index) {
        return SelfDamagingRing.piece(store, rank, index);
    }

    private static void flipByte(Path file) throws IOException {
        SelfDamagingRing.flipByte(file);
    }

    /** The line the resume used, from "resuming from recovery line [...]" (all zeros for "the beginning"). */
    private static long[] resumedLine(MpiRun.Outcome o) {
        Matcher m = Pattern.compile("resuming from (recovery line \\[([0-9, ]+)\\]|the beginning)").matcher(o.err());
        assertTrue(m.find(), o.err());
        return m.group(2) == null ? new long[4]
                : Arrays.stream(m.group(2).split(", ")).mapToLong(Long::parseLong).toArray();
    }

    /** The run gave the failure-free result, and each warning is on standard error and in its run report. */
    private void assertResumedCorrectly(MpiRun.Outcome o, List<String> warnings) throws IOException {
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean, o.lines());
        JsonNode report = JsonText.MAPPER.readTree(tmp.resolve("report.json").toFile());
        List<String> reported = new ArrayList<>();
        report.get("warnings").forEach(w -> reported.add(w.asText()));
        for (String w : warnings) {
            assertTrue(o.err().contains("snaprun: warning: " + w + "\n"), "stderr lacks " + w + ":\n" + o.err());
            assertTrue(reported.stream().anyMatch(r -> r.contains(w)), "report lacks " + w + ":\n" + reported);
        }
    }

    @Test
    void shouldResumeEveryRankFromTheBeginningWhenOneRanksCheckpointsWereDeleted() throws IOException {
        Path store = tmp.resolve("s");
        Left left = failedRun(store);
        for (long k : left.present().get(1)) {
            Files.delete(piece(store, 1, k));
        }

        MpiRun.Outcome o = resume(store);

        long f = left.floor()[1];
        String missing = "rank 1's local checkpoint " + f + ": " + piece(store, 1, f)
                + " (local checkpoint) is missing";
        assertResumedCorrectly(o, List.of(missing + "; it is the oldest checkpoint the store keeps for rank 1 (older "
                + "ones were deleted), so rank 1 cannot restart from it and can only start again from the beginning"));
        assertArrayEquals(new long[4], resumedLine(o), "not [" + f + ", 0, " + f + ", " + f + "]: " + o.err());
        assertTrue(o.err().contains("snaprun: resuming from the beginning (the only consistent recovery line over the "
                + "verified local checkpoints) in " + store), o.err());
        assertTrue(o.err().contains("snaprun: warning: every rank restarts from the beginning: it is the only "
                + "consistent recovery line over the verified local checkpoints, since 1 of them cannot be used ("
                + missing + ")"), o.err());
        Path aside = store.resolve("set-aside").resolve("local").resolve("rank-00000")
                .resolve(piece(store, 0, f).getFileName());
        assertTrue(o.err().contains("snaprun: warning: because of the damaged checkpoints the job goes back further "
                + "than the newest local checkpoints; the restarted run writes checkpoints of their numbers anew, so "
                + "they are moved out of its way, not deleted (no restart reads them; delete them once they are not "
                + "needed): rank 0's " + f + " to " + aside), o.err());
        assertTrue(Files.exists(aside), "the valid checkpoint is kept: " + aside);
        assertRunEndsWithItsOwnCheckpoints(store);
    }

    @Test
    void shouldResumeEveryRankFromTheBeginningWhenEachOfOneRanksCheckpointsIsCorrupt() throws IOException {
        Path store = tmp.resolve("s");
        Left left = failedRun(store);
        List<String> warnings = new ArrayList<>();
        for (long k : left.present().get(1)) {
            flipByte(piece(store, 1, k));
        }
        long f = left.floor()[1];
        warnings.add("rank 1's local checkpoint " + f + ": " + piece(store, 1, f) + " has a payload checksum mismatch;"
                + " it is the oldest checkpoint the store keeps for rank 1 (older ones were deleted), so rank 1 cannot"
                + " restart from it" + (left.newest(1) > f ? "" : " and can only start again from the beginning"));
        long n = left.newest(1);
        if (n > f) {
            warnings.add("rank 1's local checkpoint " + (f + 1) + ": " + piece(store, 1, f + 1) + " has a payload "
                    + "checksum mismatch; " + (n == f + 1 ? "it is" : "it and rank 1's later checkpoint"
                    + (n == f + 2 ? " " + n : "s " + (f + 2) + ".." + n) + " are")
                    + " left out (the intervals after it cannot be rebuilt)");
        }

        MpiRun.Outcome o = resume(store);

        assertResumedCorrectly(o, warnings);
        assertArrayEquals(new long[4], resumedLine(o), o.err());
        assertRunEndsWithItsOwnCheckpoints(store);
    }

    @Test
    void shouldResumeOneCheckpointEarlierWhenOneRanksNewestCheckpointIsTruncated() throws IOException {
        Path store = tmp.resolve("s");
        Left left = failedRun(store);
        long k = left.newest(1);
        Path file = piece(store, 1, k);
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }

        MpiRun.Outcome o = resume(store);

        String damaged = "rank 1's local checkpoint " + k + ": " + file + " is " + size / 2 + " bytes, its header "
                + "says " + size + " (torn write?)";
        long[] expected = new long[4];
        if (k > left.floor()[1]) {
            assertResumedCorrectly(o, List.of(damaged + "; it is left out (the intervals after it cannot be rebuilt)"));
            Arrays.fill(expected, k - 1);
            for (int r : new int[] {0, 2, 3}) {
                assertTrue(left.newest(r) >= k - 1, "rank " + r + " had checkpoint " + (k - 1) + ": " + left);
            }
        } else {
            assertResumedCorrectly(o, List.of(damaged + "; it is the oldest checkpoint the store keeps for rank 1 "
                    + "(older ones were deleted), so rank 1 cannot restart from it and can only start again from the "
                    + "beginning"));
        }
        assertArrayEquals(expected, resumedLine(o), "newest " + k + ", floor " + left.floor()[1] + ": " + o.err());
        assertRunEndsWithItsOwnCheckpoints(store);
    }

    /**
     * After the resumed run, each rank holds a run of consecutive checkpoints from the floor the run recorded on,
     * and the newest of them are those of the run's end: none of the damaged run's newer ones is mixed in.
     */
    private static void assertRunEndsWithItsOwnCheckpoints(Path store) {
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            long[] floor = s.recoveryLine().orElseThrow();
            for (int r = 0; r < 4; r++) {
                List<Long> own = s.localIndexes(r);
                assertEquals(floor[r], (long) own.get(0), "rank " + r + ": " + own + " from " + Arrays.toString(floor));
                assertEquals(own.get(0) + own.size() - 1, (long) own.get(own.size() - 1), "consecutive: " + own);
                assertEquals(4L, (long) own.get(own.size() - 1), "checkpoints at steps 500..2000: " + own);
            }
        }
    }

    @Test
    void shouldRestartWithinTheRunFromBeforeACheckpointDamagedDuringIt() throws IOException {
        Path store = tmp.resolve("s");
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "500",
                "--inject-failure", "rank=0,point=1300", "--store", store.toString(), "--report",
                tmp.resolve("report.json").toString()), SelfDamagingRing.class, STEPS, store.toString());

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean, o.lines());
        String problem = "rank 1's local checkpoint 2: " + piece(store, 1, 2) + " has a payload checksum mismatch";
        Matcher m = Pattern.compile("restarting all 4 ranks from (recovery line \\[([0-9, ]+)\\]|the beginning)")
                .matcher(o.err());
        assertTrue(m.find(), o.err());
        if (m.group(2) != null) {
            // Garbage collection had not moved the floor to checkpoint 2 before rank 1 damaged it (it may have found
            // the damage itself since, and then kept the floor at 1): the line stops before it on every rank.
            // Rank 1 may or may not have committed checkpoint 3 at the stop for the restart before the line was
            // found; the warning names it when it did.
            assertEquals("1, 1, 1, 1", m.group(2), o.err());
            String after = o.err().contains("rank 1 committed local checkpoint 3 at safe point 1300")
                    ? "; it and rank 1's later checkpoint 3 are left out" : "; it is left out";
            assertResumedCorrectly(o, List.of(problem + after + " (the intervals after it cannot be rebuilt)"));
        } else {
            // The floor had reached checkpoint 2 (checkpoints 1 were deleted) before the damage: the beginning is the
            // only consistent line left.
            assertResumedCorrectly(o, List.of(problem + "; it is the oldest checkpoint the store keeps for rank 1 "
                    + "(older ones were deleted), so rank 1 cannot restart from it and can only start again from the "
                    + "beginning"));
            assertTrue(o.err().contains("restarting all 4 ranks from the beginning (the only consistent recovery "
                    + "line over the verified local checkpoints)"), o.err());
        }
        assertRunEndsWithItsOwnCheckpoints(store);
    }

    @Test
    void shouldRestartWithinTheRunFromTheCheckpointBeforeOneTornByAKill() throws IOException {
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "500",
                "--inject-failure", "rank=1,during-checkpoint=3", "--store", tmp.resolve("s").toString()),
                RingExchange.class, STEPS);

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean, o.lines());
        Matcher m = Pattern.compile("restarting all 4 ranks from recovery line \\[(\\d+), (\\d+), (\\d+), (\\d+)\\]")
                .matcher(o.err());
        assertTrue(m.find(), o.err());
        // Rank 1 died writing checkpoint 3 (step 1500): it never committed, or (on shm) committed just before the
        // kill; the line restores the same step on every rank.
        long line = Long.parseLong(m.group(1));
        assertTrue(line == 2 || line == 3, o.err());
        for (int g = 2; g <= 4; g++) {
            assertEquals(line, Long.parseLong(m.group(g)), o.err());
        }
        assertTrue(!o.err().contains("warning"), "a write the kill interrupted is no damage: " + o.err());
        assertRunEndsWithItsOwnCheckpoints(tmp.resolve("s"));
    }
}
