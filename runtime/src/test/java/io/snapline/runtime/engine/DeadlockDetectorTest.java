package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.JobResult;
import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DeadlockDetectorTest {
    private static final JobState.Blocked F = JobState.FINISHED;

    private static JobState.Blocked b(long epoch) {
        return new JobState.Blocked(epoch, "Recv(source world rank 1, tag 0, context 0)");
    }

    @Test
    void shouldReportDeadlockWhenAllRunningRanksStayBlockedForEnoughChecks() {
        DeadlockDetector d = new DeadlockDetector(3);
        JobState.Blocked[] snap = {b(5), F};
        assertNull(d.check(snap));
        assertNull(d.check(snap));
        assertNull(d.check(snap));
        String report = d.check(snap);
        assertNotNull(report);
        assertTrue(report.contains("rank 0: blocked in Recv(source world rank 1"), report);
        assertTrue(report.contains("rank 1: finished"), report);
    }

    @Test
    void shouldNotReportWhenSomeRankIsRunning() {
        DeadlockDetector d = new DeadlockDetector(1);
        JobState.Blocked[] snap = {b(1), null};
        for (int i = 0; i < 5; i++) {
            assertNull(d.check(snap));
        }
    }

    @Test
    void shouldRestartCountingWhenARankBlocksAnew() {
        DeadlockDetector d = new DeadlockDetector(2);
        assertNull(d.check(new JobState.Blocked[] {b(1), b(1)}));
        assertNull(d.check(new JobState.Blocked[] {b(1), b(1)}));
        assertNull(d.check(new JobState.Blocked[] {b(1), b(2)}));
        assertNull(d.check(new JobState.Blocked[] {b(1), b(2)}));
        assertNotNull(d.check(new JobState.Blocked[] {b(1), b(2)}));
    }

    @Test
    void shouldRestartCountingWhileDataStillMovesBetweenBlockedRanks() {
        DeadlockDetector d = new DeadlockDetector(2);
        JobState.Blocked[] snap = {b(3), b(4)};
        assertNull(d.check(snap, 100));
        assertNull(d.check(snap, 100));
        assertNull(d.check(snap, 4_000_000)); // a progress thread read more: a long transfer, not a deadlock
        assertNull(d.check(snap, 9_000_000));
        assertNull(d.check(snap, 9_000_000));
        assertNotNull(d.check(snap, 9_000_000));
    }

    @Test
    void shouldNotReportWhenEveryRankFinished() {
        DeadlockDetector d = new DeadlockDetector(1);
        for (int i = 0; i < 3; i++) {
            assertNull(d.check(new JobState.Blocked[] {F, F}));
        }
    }

    /** Rank 0 waits for a message that rank 1 never sends. */
    public static class MissingSend {
        public static void main(String[] args) {
            MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 0) {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 9);
            }
        }
    }

    /** Every rank first receives from the next one: nobody sends. */
    public static class CrossedReceives {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, (me + 1) % n, 9);
            MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, (me + n - 1) % n, 9);
            MPI.Finalize();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldEndJobWithDeadlockReportNamingEveryRanksWaitWhenEveryRankWaitsForAnother() {
        MpiRun.Outcome o = MpiRun.run(3, CrossedReceives.class);
        JobResult r = o.result();
        assertEquals(1, r.exitCode(), o.err());
        String why = r.failures().get(0).description();
        assertTrue(why.startsWith("deadlock: no rank can make progress"), why);
        for (int me = 0; me < 3; me++) {
            assertTrue(why.contains("rank " + me + ": blocked in Recv(source world rank " + (me + 1) % 3 + ", tag 9"),
                    why);
        }
    }

    /** Rank 0 probes for a message rank 1 never sends, while rank 1 waits to receive from rank 0. */
    public static class ProbeAndReceive {
        public static void main(String[] args) {
            MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 0) {
                MPI.COMM_WORLD.Probe(1, 5);
            } else {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 0, 6);
            }
            MPI.Finalize();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldEndJobWithDeadlockReportWhenARankWaitsInProbe() {
        MpiRun.Outcome o = MpiRun.run(2, ProbeAndReceive.class);
        JobResult r = o.result();
        assertEquals(1, r.exitCode(), o.err());
        String why = r.failures().get(0).description();
        assertTrue(why.startsWith("deadlock: no rank can make progress"), why);
        assertTrue(why.contains("rank 0: blocked in Probe(source world rank 1, tag 5, context 0)"), why);
        assertTrue(why.contains("rank 1: blocked in Recv(source world rank 0, tag 6"), why);
    }

    /** Rank 0 computes (sleeps) for longer than the detection takes before it sends; rank 1 waits meanwhile. */
    public static class SlowSender {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int[] v = {0};
            if (MPI.COMM_WORLD.Rank() == 0) {
                Thread.sleep(3_500);
                v[0] = 42;
                MPI.COMM_WORLD.Send(v, 0, 1, MPI.INT, 1, 3);
            } else {
                MPI.COMM_WORLD.Recv(v, 0, 1, MPI.INT, 0, 3);
                System.out.println("got " + v[0]);
            }
            MPI.Finalize();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNotTakeALongWaitForARankThatComputesForADeadlock() {
        MpiRun.Outcome o = MpiRun.run(2, SlowSender.class);
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals("got 42\n", o.out());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldEndJobWithDeadlockReportWhenReceiveHasNoSender() {
        MpiRun.Outcome o = MpiRun.run(2, MissingSend.class);
        JobResult r = o.result();
        assertTrue(!r.succeeded());
        String why = r.failures().get(0).description();
        if (MpiRun.device().equals("tcp")) {
            // separate processes: rank 1's exit without MPI.Finalize closes its connections without a goodbye
            assertTrue(why.contains("Recv: rank 1 has failed"), why);
            return;
        }
        assertTrue(why.contains("deadlock"), why);
        assertTrue(why.contains("rank 0: blocked in Recv(source world rank 1, tag 9"), why);
        assertTrue(why.contains("rank 1: finished"), why);
    }
}
