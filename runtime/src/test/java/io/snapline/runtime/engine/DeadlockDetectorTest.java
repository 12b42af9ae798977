package io.snapline.runtime.engine;

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
