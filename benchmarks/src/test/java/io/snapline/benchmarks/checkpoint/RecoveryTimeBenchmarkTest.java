package io.snapline.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.benchmarks.BenchmarkException;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RunReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryTimeBenchmarkTest {
    private static final String REPORT = "{\"restarts\": [{\"number\": 1, \"failedRank\": 1, \"failedRanks\": [1], "
            + "\"reason\": \"x\", \"fromCheckpoint\": 0, \"fromLine\": null, \"detectedAtNanos\": 5, "
            + "\"tookNanos\": 73000000, \"alone\": true}]}";

    @Test
    void shouldTimeTheFailedRankFromItsDeathAtTheStepUntilItFinishesTheStepAgain() {
        String stderr = String.join("\n", "@start 0 0 100", "@start 1 0 100", "snaprun: committed",
                "@mark 0 30 1000", "@mark 1 30 2000", "snaprun: rank 1 failed", "@start 1 22 2100",
                "@mark 1 30 171000");
        RecoveryTimeBenchmark.Recovery r = RecoveryTimeBenchmark.recovery(stderr, REPORT, 30);
        assertEquals(169_000, r.heldBackMicros());
        assertEquals(73_000_000, r.restoredNanos());
        assertArrayEquals(new long[] {0, 8}, r.redone(), "only rank 1 computed steps 23..30 again");
        assertTrue(r.alone());
    }

    @Test
    void shouldReadTheFirstRestartWhenTheLauncherWroteTheReport() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        report.restartAlone(1, "killed", null, 1_000, 74_001_000);
        report.restart(new int[] {0}, "killed", RestartPoint.beginning(2, "nothing committed"), 90_000_000,
                95_000_000);
        report.finish("completed", 100_000_000);
        String stderr = String.join("\n", "@start 0 0 1", "@start 1 0 1", "@mark 1 30 10", "@start 1 22 20",
                "@mark 1 30 50");

        RecoveryTimeBenchmark.Recovery r = RecoveryTimeBenchmark.recovery(stderr, report.toJson(), 30);

        assertEquals(74_000_000, r.restoredNanos());
        assertTrue(r.alone());
        BenchmarkException e = assertThrows(BenchmarkException.class, () -> RecoveryTimeBenchmark.recovery(stderr,
                new RunReport("independent", "shm", 2, 0).toJson(), 30));
        assertTrue(e.getMessage().startsWith("the run report records no restart"), e.getMessage());
    }

    @Test
    void shouldCountTheStepsEveryRestartedRankComputedAgain() {
        String stderr = String.join("\n", "@start 0 0 1", "@start 1 0 1", "@mark 1 30 10", "@start 0 10 20",
                "@start 1 10 20", "@mark 0 30 40", "@mark 1 30 50");
        RecoveryTimeBenchmark.Recovery r = RecoveryTimeBenchmark.recovery(stderr,
                REPORT.replace("\"alone\": true", "\"alone\": false"), 30);
        assertArrayEquals(new long[] {20, 20}, r.redone());
        assertEquals(40, r.heldBackMicros());
    }

    @Test
    void shouldSayWhenTheFailureDidNotStrikeWhereAsked() {
        BenchmarkException e = assertThrows(BenchmarkException.class, () -> RecoveryTimeBenchmark.recovery(
                "@mark 1 30 10\n", REPORT, 30));
        assertTrue(e.getMessage().startsWith("rank 1 should have finished step 30 twice (killed there, then again "
                + "after its restart), but did 1 time(s)"), e.getMessage());
    }

    @Test
    void shouldReadItsOptionsAndRefuseAFailureAfterTheLastStep() {
        RecoveryTimeBenchmark.Options o = RecoveryTimeBenchmark.parse("--state-mib", "8,32", "--steps", "20",
                "--fail-at", "10", "--policies", "coordinated");
        assertEquals(List.of(8L, 32L), o.stateMib());
        assertEquals(10, o.failAt());
        assertEquals("shm", o.device());
        assertEquals("tcp", RecoveryTimeBenchmark.parse("--device", "tcp").device());
        assertEquals("--device takes shm or tcp, got 'gpu'", assertThrows(IllegalArgumentException.class,
                () -> RecoveryTimeBenchmark.parse("--device", "gpu")).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecoveryTimeBenchmark.parse("--steps", "20", "--fail-at", "20"));
        assertEquals("--fail-at 20 must come before the last step (--steps 20)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecoveryTimeBenchmark.parse("--state-mib", "0"));
    }
}
