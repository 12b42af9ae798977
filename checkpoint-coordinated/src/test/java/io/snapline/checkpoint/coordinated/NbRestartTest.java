package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code coordinated-nb} end to end: the same ring program as {@link BlockingRestartTest}, killed and restarted. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NbRestartTest {
    private static final Pattern RESTART = Pattern.compile("restarting all \\d+ ranks from checkpoint (\\d+)");

    @TempDir
    Path tmp;

    private static List<String> sorted(MpiRun.Outcome o) {
        List<String> lines = new ArrayList<>(o.lines());
        lines.sort(null);
        return lines;
    }

    private MpiRun.Outcome run(int np, List<String> flags, String... args) {
        return MpiRun.run(np, flags, BlockingRestartTest.HaloRing.class, args);
    }

    private static long committed(MpiRun.Outcome o) {
        Matcher m = Pattern.compile("checkpoints committed: (\\d+)").matcher(o.err());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenARankIsKilledAfterCheckpointsWereTaken() {
        MpiRun.Outcome clean = run(3, List.of(), "80");
        MpiRun.Outcome o = run(3, List.of("--checkpoint", "coordinated-nb", "--interval", "40ms", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,point=60"), "80", "4");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(sorted(clean), sorted(o));
        Matcher m = RESTART.matcher(o.err());
        assertTrue(m.find(), o.err());
        assertTrue(Integer.parseInt(m.group(1)) >= 1, "restarted from a checkpoint: " + o.err());
        assertTrue(committed(o) >= 2, o.err());
        assertEquals(List.of(), MpiRun.liveWriters(), "the ranks' writers end with their attempts");
    }

    @Test
    void shouldFallBackWhenARankDiesWhileWritingAndSurviveASecondFailure() {
        MpiRun.Outcome clean = run(4, List.of(), "90");
        MpiRun.Outcome o = run(4, List.of("--checkpoint", "coordinated-nb", "--interval", "30ms", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=3,during-checkpoint=2", "--inject-failure",
                "rank=0,point=75"), "90", "4");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 4 ranks from checkpoint 1"), o.err());
        assertTrue(o.err().contains("restart 2 of at most 3"), o.err());
    }

    /**
     * Breaks the piecewise-deterministic contract: rank 0 sends rank 1 a value of its clock every step and passes a
     * safe point every step; rank 1 acknowledges each and passes one every 40 steps, so that after rank 0 takes a
     * checkpoint, its next messages reach rank 1 before rank 1 takes it (early messages, which rank 1's piece holds).
     */
    public static class Clocked {
        static final class State {
            int step;
            long sum;
        }

        public static void main(String[] args) {
            mpi.MPI.Init(args);
            int steps = Integer.parseInt(args[args.length - 1]);
            int rank = mpi.MPI.COMM_WORLD.Rank();
            State s = io.snapline.checkpoint.Checkpoint.restoreOr(State::new);
            long[] value = new long[1];
            while (s.step < steps) {
                if (rank == 0) {
                    io.snapline.checkpoint.Checkpoint.point(s);
                    value[0] = System.nanoTime();
                    mpi.MPI.COMM_WORLD.Send(value, 0, 1, mpi.MPI.LONG, 1, 2);
                    mpi.MPI.COMM_WORLD.Recv(value, 0, 1, mpi.MPI.LONG, 1, 3);
                } else {
                    // At the top of a step, as rank 0's: a state taken after the step's receive but before its
                    // step++ would have the restarted rank receive that step's message once more.
                    if (s.step % 40 == 39) {
                        io.snapline.checkpoint.Checkpoint.point(s);
                    }
                    mpi.MPI.COMM_WORLD.Recv(value, 0, 1, mpi.MPI.LONG, 0, 2);
                    s.sum += value[0];
                    mpi.MPI.COMM_WORLD.Send(value, 0, 1, mpi.MPI.LONG, 0, 3);
                }
                s.step++;
            }
            mpi.MPI.Finalize();
        }
    }

    @Test
    void shouldFailNamingTheSendWhenARestartedRankReSendsOtherContentThanItsPeerHolds() {
        // Rank 1 dies at its 8th safe point (step 320). A run whose last commit held no early message of rank 0
        // (rank 0 re-executes nothing rank 1 has) restarts and ends normally: it is run again (at most 10 times).
        MpiRun.Outcome o = null;
        for (int run = 0; run < 10 && (o == null || o.result().succeeded()); run++) {
            o = MpiRun.run(2, List.of("--checkpoint", "coordinated-nb", "--interval", "5ms", "--store",
                    tmp.resolve("s" + run).toString(), "--inject-failure", "rank=1,point=8"), Clocked.class, "400");
        }
        String said = o.err() + o.result().failures();
        assertTrue(!o.result().succeeded(), said);
        assertTrue(said.contains("restarting all 2 ranks from checkpoint"), said);
        Matcher m = Pattern.compile("coordinated-nb: rank 0 re-executed its send to rank 1 \\(tag 2, message (\\d+) on "
                + "that channel, after safe point (\\d+)\\), which rank 1 already holds, with other content than it "
                + "sent before the restart").matcher(said);
        assertTrue(m.find(), said);
        assertEquals(Long.parseLong(m.group(1)) + 1, Long.parseLong(m.group(2)), "message k follows safe point k + 1: "
                + said);
    }

    @Test
    void shouldRefuseEveryNWhenThePolicyIsNonBlocking() {
        UsageException e = assertThrows(UsageException.class, () -> run(2, List.of("--checkpoint", "coordinated-nb",
                "--every", "3", "--store", tmp.resolve("s").toString()), "5"));
        assertEquals("--every is an option of --checkpoint coordinated, not of --checkpoint coordinated-nb",
                e.getMessage(), "(with the coordinated policies installed)");
    }
}
