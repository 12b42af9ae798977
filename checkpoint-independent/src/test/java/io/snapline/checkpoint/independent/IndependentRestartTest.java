package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --checkpoint independent --logging none} end to end (on the device the build selects): ranks checkpoint on
 * their own, a failure restarts every rank from the strongly consistent recovery line the recovery module computes,
 * and the job ends with the failure-free result.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IndependentRestartTest {
    @TempDir
    Path tmp;

    /**
     * Two pairs of ranks that never talk to each other until the end: ranks 0 and 1 exchange a value every step and
     * mark one safe point per step, ranks 2 and 3 mark {@code rest[1]} safe points per step. With {@code --every N}
     * each pair checkpoints at the same steps, so each pair's newest common checkpoint is on a strongly consistent
     * line: the pairs roll back to different local checkpoints.
     */
    public static class Pairs {
        static final class State {
            int step;
            double value;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int fastPoints = Integer.parseInt(rest[1]);
            long pause = Long.parseLong(rest[2]);
            int rank = MPI.COMM_WORLD.Rank();
            int partner = rank ^ 1;
            int points = rank < 2 ? 1 : fastPoints;
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                f.value = rank + 1;
                return f;
            });
            double[] mine = new double[1];
            double[] theirs = new double[1];
            while (s.step < steps) {
                mine[0] = s.value;
                MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, partner, 5, theirs, 0, 1, MPI.DOUBLE, partner, 5);
                s.value = Math.sin(s.value) * 0.75 + Math.cos(theirs[0]) * 0.5 + s.step * 1e-3;
                s.step++;
                if (pause > 0) {
                    Thread.sleep(pause);
                }
                for (int p = 0; p < points; p++) {
                    Checkpoint.point(s);
                }
            }
            double[] all = new double[MPI.COMM_WORLD.Size()];
            MPI.COMM_WORLD.Gather(new double[] {s.value}, 0, 1, MPI.DOUBLE, all, 0, 1, MPI.DOUBLE, 0);
            if (rank == 0) {
                for (int r = 0; r < all.length; r++) {
                    System.out.println("rank " + r + " value " + Long.toHexString(Double.doubleToLongBits(all[r])));
                }
            }
            MPI.Finalize();
        }
    }

    /**
     * Ranks 0 and 1 exchange a value every step; rank 2 computes alone until the final gather. One safe point per
     * step each.
     */
    public static class Loner {
        static final class State {
            int step;
            double value;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                f.value = rank + 0.5;
                return f;
            });
            double[] mine = new double[1];
            double[] theirs = new double[1];
            while (s.step < steps) {
                if (rank < 2) {
                    mine[0] = s.value;
                    MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, 1 - rank, 5, theirs, 0, 1, MPI.DOUBLE, 1 - rank, 5);
                    s.value = Math.sin(s.value) + Math.cos(theirs[0]) * 0.5 + s.step * 1e-3;
                } else {
                    s.value = Math.sin(s.value) * 0.9 + s.step * 1e-3;
                }
                s.step++;
                Thread.sleep(2);
                Checkpoint.point(s);
            }
            double[] all = new double[MPI.COMM_WORLD.Size()];
            MPI.COMM_WORLD.Gather(new double[] {s.value}, 0, 1, MPI.DOUBLE, all, 0, 1, MPI.DOUBLE, 0);
            if (rank == 0) {
                for (int r = 0; r < all.length; r++) {
                    System.out.println("rank " + r + " value " + Long.toHexString(Double.doubleToLongBits(all[r])));
                }
            }
            MPI.Finalize();
        }
    }

    /**
     * Rank 0 sends rank 1 a value every tenth step and marks a safe point every step; rank 1 receives it, catching a
     * failed receive and going on (as a program with its own error handling might), and marks a safe point every
     * tenth step. After rank 0 dies, rank 1's next safe point follows a failed receive that leaves no trace in any
     * dependency record, so only the runtime's knowledge of the failure keeps that state off the recovery line.
     */
    public static class Forgiving {
        static final class State {
            int step;
            double value;
            int missed;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                f.value = rank + 0.25;
                return f;
            });
            double[] buf = new double[1];
            while (s.step < steps) {
                if (s.step % 10 == 9) {
                    if (rank == 0) {
                        buf[0] = s.value;
                        MPI.COMM_WORLD.Send(buf, 0, 1, MPI.DOUBLE, 1, 5);
                    } else {
                        try {
                            MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.DOUBLE, 0, 5);
                        } catch (mpi.MPIException e) {
                            s.missed++;
                            buf[0] = 0;
                        }
                        s.value += Math.cos(buf[0]);
                    }
                }
                s.value = Math.sin(s.value) + s.step * 1e-3;
                s.step++;
                Thread.sleep(rank == 0 ? 10 : 1); // rank 1 waits for each value, so it is in its receive when rank 0 dies
                if (rank == 0 || s.step % 10 == 0) {
                    Checkpoint.point(s);
                }
            }
            System.out.println("rank " + rank + " value " + Long.toHexString(Double.doubleToLongBits(s.value))
                    + " missed " + s.missed);
            MPI.Finalize();
        }
    }

    /**
     * A ring whose token is in flight at every safe point (sent at the end of a step, received at the start of the
     * next), plus halo exchanges: whether a line is strongly consistent depends on whether the token had arrived when
     * the receiver checkpointed, so the line the planner finds depends on timing — the result must not.
     */
    public static class TokenRing {
        static final class State {
            int step;
            double[] cells = new double[32];
            long tokens;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            int left = (rank + size - 1) % size;
            int right = (rank + 1) % size;
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                for (int i = 0; i < f.cells.length; i++) {
                    f.cells[i] = rank * 100 + i;
                }
                return f;
            });
            if (s.step == 0) {
                MPI.COMM_WORLD.Send(new long[] {rank}, 0, 1, MPI.LONG, right, 7);
            }
            double[] fromLeft = new double[1];
            long[] token = new long[1];
            while (s.step < steps) {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, left, 7);
                s.tokens = s.tokens * 31 + token[0];
                MPI.COMM_WORLD.Sendrecv(s.cells, s.cells.length - 1, 1, MPI.DOUBLE, right, 1, fromLeft, 0, 1,
                        MPI.DOUBLE, left, 1);
                double[] next = new double[s.cells.length];
                for (int i = 0; i < next.length; i++) {
                    next[i] = 0.5 * s.cells[i] + 0.5 * (i == 0 ? fromLeft[0] : s.cells[i - 1]) + Math.sin(s.step) * 1e-3;
                }
                s.cells = next;
                s.step++;
                MPI.COMM_WORLD.Send(new long[] {s.step * 100L + rank}, 0, 1, MPI.LONG, right, 7);
                Thread.sleep(1);
                Checkpoint.point(s);
            }
            MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, left, 7);
            long bits = s.tokens;
            for (double c : s.cells) {
                bits = bits * 1_000_003L + Double.doubleToLongBits(c);
            }
            System.out.println("rank " + rank + " step " + s.step + " state " + Long.toHexString(bits));
            MPI.Finalize();
        }
    }

    private static List<String> sorted(MpiRun.Outcome o) {
        List<String> lines = new ArrayList<>(o.lines());
        lines.sort(null);
        return lines;
    }

    private List<String> flags(String store, String... more) {
        List<String> f = new ArrayList<>(List.of("--checkpoint", "independent", "--logging", "none", "--store",
                tmp.resolve(store).toString()));
        f.addAll(Arrays.asList(more));
        return f;
    }

    /** The recovery lines the restarts used, in order, from the launcher's log (all zeros: from the beginning). */
    private static List<long[]> lines(MpiRun.Outcome o) {
        Matcher m = Pattern.compile("restarting all (\\d+) ranks from (recovery line \\[([0-9, ]+)\\]|the beginning)")
                .matcher(o.err());
        List<long[]> result = new ArrayList<>();
        while (m.find()) {
            result.add(m.group(3) == null ? new long[Integer.parseInt(m.group(1))]
                    : Arrays.stream(m.group(3).split(", ")).mapToLong(Long::parseLong).toArray());
        }
        return result;
    }

    @Test
    void shouldRestartEachPairFromItsOwnNewestCommonCheckpointWhenARankIsKilled() {
        MpiRun.Outcome clean = MpiRun.run(4, List.of(), Pairs.class, "60", "3", "2");
        assertTrue(clean.result().succeeded(), clean.err());

        MpiRun.Outcome o = MpiRun.run(4, flags("s", "--every", "10", "--inject-failure", "rank=0,point=35"),
                Pairs.class, "60", "3", "2");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        List<long[]> used = lines(o);
        assertEquals(1, used.size(), o.err());
        long[] line = used.get(0);
        // Ranks 0 and 1 checkpointed at steps 10, 20 and 30; rank 0 died at 35 and rank 1 cannot pass step 36 alone:
        // back to 3 (rank 1 fails with rank 0 and takes no checkpoint when it stops). Ranks 2 and 3 checkpoint three
        // times as often, and when rank 0 dies they checkpoint at their next safe point, unless an exchange with a
        // partner that stopped first fails: they continue from checkpoints of their own, possibly different ones (two
        // safe points of the same step enclose no message).
        assertEquals(line[0], line[1], o.err());
        assertTrue(line[0] == 3 || line[0] == 2, "2 if rank 0's write of 3 had not finished: " + o.err());
        // How far ranks 2 and 3 got when rank 0 died depends on when their processes started; whatever it was, the
        // pair keeps its own progress: each restarts from its newest checkpoint or the one before (when its partner
        // stopped first), never back where ranks 0 and 1 go because of them.
        String before = o.err().substring(0, o.err().indexOf("restarting all 4 ranks"));
        for (int r = 2; r <= 3; r++) {
            Matcher m = Pattern.compile("rank " + r + " committed local checkpoint (\\d+)").matcher(before);
            long newest = 0;
            while (m.find()) {
                newest = Math.max(newest, Long.parseLong(m.group(1)));
            }
            assertTrue(line[r] >= newest - 1 && line[r] <= newest, "rank " + r + " had committed " + newest + ": "
                    + o.err());
        }
        assertTrue(o.err().contains("restarts: 1\n"), o.err());
        assertTrue(o.err().contains("rank 2 committed local checkpoint 1 at safe point 10"), o.err());
    }

    @Test
    void shouldContinueARankThatTalksToNobodyFromWhereItStoppedWhenAnotherDies() {
        MpiRun.Outcome clean = MpiRun.run(3, List.of(), Loner.class, "150");
        assertTrue(clean.result().succeeded(), clean.err());

        MpiRun.Outcome o = MpiRun.run(3, flags("s", "--every", "10", "--inject-failure", "rank=0,point=35"),
                Loner.class, "150");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        long[] line = lines(o).get(0);
        // Rank 1 waits for rank 0 and fails with it, so the pair goes back to its checkpoint at step 30. Rank 2,
        // still computing on its own, checkpoints at its next safe point and continues from there: it loses nothing.
        assertEquals(line[0], line[1], o.err());
        assertTrue(line[0] == 3 || line[0] == 2, "2 if rank 0's write of 3 had not finished: " + o.err());
        Matcher stopped = Pattern.compile("rank 2 stopped at safe point (\\d+) for the restart, with local "
                + "checkpoint (\\d+)").matcher(o.err());
        assertTrue(stopped.find(), o.err());
        assertEquals(Long.parseLong(stopped.group(2)), line[2], o.err());
    }

    @Test
    void shouldNotCheckpointARankThatWentOnAfterAnOperationWithTheDeadRankFailed() {
        MpiRun.Outcome clean = MpiRun.run(2, List.of(), Forgiving.class, "80");
        assertTrue(clean.result().succeeded(), clean.err());

        // Late enough that rank 1 (ten times faster per step) has caught up with rank 0 whatever its start cost: a tcp
        // rank's JVM start and first checkpoints can take a few hundred milliseconds on a loaded machine.
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--every", "1", "--inject-failure", "rank=0,point=65"),
                Forgiving.class, "80");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o), "no rank missed a value in the end");
        assertTrue(o.err().contains("rank 1 stopped at safe point 7 for the restart, without a checkpoint"), o.err());
        long[] line = lines(o).get(0);
        assertEquals(6, line[1], "rank 1 goes back to its checkpoint at step 60: " + o.err());
        assertTrue(line[0] >= 60, "rank 0 last sent at step 59, before its checkpoint 60: " + o.err());
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenRanksDieWhileWritingAndAtSafePoints() {
        MpiRun.Outcome clean = MpiRun.run(4, List.of(), Pairs.class, "40", "2", "1");
        MpiRun.Outcome o = MpiRun.run(4, flags("s", "--every", "6", "--max-restarts", "2",
                "--inject-failure", "rank=3,during-checkpoint=4", "--inject-failure", "rank=1,point=30"),
                Pairs.class, "40", "2", "1");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        // The pairs run independently, so either death can come first (rank 3's, at step 12, usually does; a pair
        // started late on a loaded machine changes that), or both land in one restart, which then names both.
        List<String> restarts = o.err().lines().filter(l -> l.contains("restarting all 4 ranks from")).toList();
        assertEquals(lines(o).size(), restarts.size(), o.err());
        assertTrue(restarts.size() == 2 || restarts.size() == 1 && restarts.get(0).contains("ranks 1 and 3 failed "
                + "(rank 1: killed: injected failure at safe point 30; rank 3: killed: injected failure while writing "
                + "checkpoint 4)"), o.err());
        int byRank3 = java.util.stream.IntStream.range(0, restarts.size())
                .filter(i -> restarts.get(i).contains("injected failure while writing checkpoint 4")).findFirst()
                .orElseThrow(() -> new AssertionError("no restart names rank 3's death: " + o.err()));
        // Rank 3 died writing its 4th checkpoint (safe point 24, step 12): it goes back to 3 or (if the write had
        // committed) 4, and its partner to a checkpoint of the same step.
        long[] line = lines(o).get(byRank3);
        assertTrue(line[3] == 3 || line[3] == 4, o.err());
        assertTrue(line[2] >= 3, o.err());
        assertEquals(List.of(), MpiRun.liveWriters(), "the ranks' writers end with their attempts");
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenCheckpointsFallAtRandomTimes() {
        MpiRun.Outcome clean = MpiRun.run(3, List.of(), TokenRing.class, "150");
        MpiRun.Outcome o = MpiRun.run(3, flags("s", "--interval", "20ms", "--max-restarts", "2",
                "--inject-failure", "rank=1,point=60", "--inject-failure", "rank=2,point=120"), TokenRing.class, "150");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertEquals(2, lines(o).size(), o.err());
    }

    @Test
    void shouldKeepOnlyCheckpointsFromTheRecordedLineOnAfterARestart() throws Exception {
        Path store = tmp.resolve("s");
        MpiRun.Outcome o = MpiRun.run(4, flags("s", "--every", "10", "--inject-failure", "rank=0,point=35"),
                Pairs.class, "60", "3", "0");
        assertTrue(o.result().succeeded(), o.err());

        // The restart recorded its line; garbage collection in the restarted attempt then recorded later ones.
        long[] recorded;
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            recorded = s.recoveryLine().orElseThrow();
        }
        long[] line = lines(o).get(0);
        for (int r = 0; r < 4; r++) {
            assertTrue(recorded[r] >= line[r], Arrays.toString(recorded) + " vs " + Arrays.toString(line));
            try (Stream<Path> files = Files.list(store.resolve("local").resolve(String.format("rank-%05d", r)))) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(names.stream().allMatch(n -> n.endsWith(".piece")), names.toString());
                long oldest = Long.parseLong(names.get(0).substring(5, 25));
                assertEquals(recorded[r], oldest, "rank " + r + " keeps checkpoints from the recorded line on: "
                        + names);
            }
        }
    }

    @Test
    void shouldResumeFromTheRecoveryLineWhenTheJobEndedWithoutRestarts() throws Exception {
        MpiRun.Outcome clean = MpiRun.run(4, List.of(), Pairs.class, "60", "3", "1");
        MpiRun.Outcome failed = MpiRun.run(4, flags("s", "--every", "10", "--max-restarts", "0",
                "--inject-failure", "rank=1,point=40"), Pairs.class, "60", "3", "1");
        assertEquals(1, failed.result().exitCode(), failed.err());
        long[] planned; // the line the failed run planned its resume from when it gave up
        try (FileCheckpointStore s = new FileCheckpointStore(tmp.resolve("s"))) {
            planned = s.recoveryLine().orElseThrow();
        }

        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--resume",
                tmp.resolve("s").toString()), Pairs.class, "60", "3", "1");

        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        Matcher resumed = Pattern.compile("resuming from recovery line \\[(\\d+), (\\d+), (\\d+), (\\d+)\\]")
                .matcher(o.err());
        assertTrue(resumed.find(), o.err());
        // The ranks of a pair checkpoint at the same steps, but the one that stops a safe point later for the restart
        // takes its stop checkpoint there, after the step's regular one: the pair's numbers differ by one at most.
        assertTrue(Math.abs(Long.parseLong(resumed.group(1)) - Long.parseLong(resumed.group(2))) <= 1, o.err());
        assertTrue(Math.abs(Long.parseLong(resumed.group(3)) - Long.parseLong(resumed.group(4))) <= 1, o.err());
        // Rank 1's newest checkpoint before its death may still have been on its way to the store when it died (the
        // write overlaps the program), so the line is the newest the pair has in the store, not a fixed step; but
        // the checkpoints of step 10 were written 30 steps (and at least 30 ms) before, so it is not the beginning.
        assertTrue(planned[0] >= 1 && planned[1] >= 1, java.util.Arrays.toString(planned) + "\n" + failed.err());
        assertEquals(java.util.Arrays.toString(planned), "[" + resumed.group(1) + ", " + resumed.group(2) + ", "
                + resumed.group(3) + ", " + resumed.group(4) + "]", "the resume continues from the line the failed run "
                + "planned\n" + failed.err() + o.err());
        try (FileCheckpointStore s = new FileCheckpointStore(tmp.resolve("s"))) {
            long recorded = s.recoveryLine().orElseThrow()[0];
            assertTrue(recorded >= Long.parseLong(resumed.group(1)), "the resume's line, or a later one garbage "
                    + "collection recorded: " + recorded);
        }
    }

    @Test
    void shouldRefuseToResumeLocalCheckpointsWithAnotherNumberOfRanks() {
        MpiRun.Outcome first = MpiRun.run(4, flags("s", "--every", "5"), Pairs.class, "20", "1", "0");
        assertTrue(first.result().succeeded(), first.err());

        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint",
                "independent", "--logging", "none", "--resume", tmp.resolve("s").toString()), Pairs.class, "20", "1",
                "0"));

        assertTrue(e.getMessage().contains("'s local checkpoint ") && e.getMessage().contains(
                " there was taken by another job (old value \u2192 this job's):\n  ranks (-np): 4 \u2192 2\n"),
                e.getMessage());
    }

    @Test
    void shouldRefuseAStoreHoldingAnEarlierRunsLocalCheckpoints() {
        MpiRun.Outcome first = MpiRun.run(2, flags("s", "--every", "5"), Pairs.class, "12", "1", "0");
        assertTrue(first.result().succeeded(), first.err());

        UsageException e = assertThrows(UsageException.class,
                () -> MpiRun.run(2, flags("s", "--every", "5"), Pairs.class, "12", "1", "0"));

        assertTrue(e.getMessage().contains("already holds local checkpoints of ranks [0, 1] from an earlier run; "
                + "continue it with --resume"), e.getMessage());
    }
}
