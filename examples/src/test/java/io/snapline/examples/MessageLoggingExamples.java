package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples under {@code --checkpoint independent} with message logging ({@link #logging()}: pessimistic or
 * causal), with the kinds of failure a message log must survive: a rank at a safe point, two ranks at once, the same
 * rank twice, a rank while it writes a checkpoint, and a second failure right after a restart, while the restarted
 * ranks re-execute from their checkpoints. Every run must print exactly what a failure-free run prints, and only the
 * failed ranks start again. (The master/worker and pipeline programs run under these policies in
 * {@link IrregularProgramsTest} too.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class MessageLoggingExamples {
    @TempDir
    Path store;

    /** The {@code --logging} mode. */
    abstract String logging();

    @Test
    void shouldPrintTheFailureFreeResultWhenTwoHeat2DRanksFailAtOnceAndAnotherWhileCheckpointing() throws Exception {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresLogged(logging(), store, 4, List.of("--interval", "10ms"),
                List.of("rank=1,point=60", "rank=2,point=60", "rank=3,during-checkpoint=3"), Heat2D.class, "48",
                "160", "--verify");
        // With --interval (not --every) the ranks' checkpoints fall at different iterations; each failed rank
        // continues alone from its own newest, also when failures come at once, and the store keeps nothing older.
        assertEquals(java.util.Set.of(1, 2, 3), o.aloneRestarts().stream().map(a -> (int) a[0])
                .collect(java.util.stream.Collectors.toSet()), o.err());
        assertTrue(o.err().contains("program starts by rank: 1, 2, 2, 2\n"), o.err());
        for (long[] line : Restarts.recoveryLines(o)) {
            for (long k : line) {
                assertTrue(k > 0, "every rank restarts from a checkpoint of its own: " + o.err());
            }
        }
        for (long[] alone : o.aloneRestarts()) {
            // From its own newest checkpoint: the beginning only while it has none (a fast machine may pass safe point
            // 60 before a rank's first timer fires).
            assertTrue(alone[1] > 0 || !committedBeforeItsFailure(o.err(), (int) alone[0]),
                    "rank " + alone[0] + " restarts from a checkpoint of its own: " + o.err());
        }
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            for (int r = 0; r < 4; r++) {
                assertEquals(1, s.localIndexes(r).size(), "rank " + r + " keeps one checkpoint: " + s.localIndexes(r));
            }
        }
    }

    /** Whether the run said rank {@code rank} committed a local checkpoint before it said the rank failed. */
    private static boolean committedBeforeItsFailure(String err, int rank) {
        int failed = err.indexOf("snaprun: rank " + rank + " failed");
        int committed = err.indexOf("snaprun: rank " + rank + " committed local checkpoint");
        return committed >= 0 && (failed < 0 || committed < failed);
    }

    /**
     * The heat stencil under a timer: a failed rank restarts alone, from its own newest checkpoint, and only its
     * program starts again (on {@code tcp}, only its process). The store keeps one checkpoint per rank, and the result
     * is the failure-free one, bit for bit.
     */
    @Test
    void shouldRestartOnlyTheFailedHeat2DRankFromItsNewestCheckpointAndKeepTheStoreBounded() throws Exception {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresLogged(logging(), store, 4, List.of("--interval", "10ms"),
                List.of("rank=2,point=100"), Heat2D.class, "48", "200", "--verify");
        List<long[]> alone = o.aloneRestarts();
        assertEquals(1, alone.size(), o.err());
        assertEquals(2, alone.get(0)[0], o.err());
        assertTrue(alone.get(0)[1] > 0 || !committedBeforeItsFailure(o.err(), 2), o.err());
        assertTrue(o.err().contains("program starts by rank: 1, 1, 2, 1\n"), o.err());
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            for (int r = 0; r < 4; r++) {
                assertEquals(1, s.localIndexes(r).size(), "rank " + r + " keeps one checkpoint: " + s.localIndexes(r));
            }
        }
    }

    /** The master, then a worker, of the master/worker example: only the failed one starts again. */
    @Test
    void shouldRestartOnlyTheFailedMasterOrWorker() {
        for (String kill : List.of("rank=0,point=40", "rank=3,point=20")) {
            MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresLogged(logging(), store.resolve(kill.substring(5, 6)), 4,
                    List.of("--interval", "20ms"), List.of(kill), MasterWorker.class, "120", "200000");
            String starts = kill.startsWith("rank=0") ? "2, 1, 1, 1" : "1, 1, 1, 2";
            assertTrue(o.err().contains("program starts by rank: " + starts + "\n"), kill + "\n" + o.err());
        }
    }

    /** The pipeline, N-body and pi examples: only the failed rank starts again. */
    @Test
    void shouldRestartOnlyTheFailedRankOfThePipelineNBodyAndPi() {
        record Case(Class<?> main, String kill, String starts, List<String> args) {
        }
        for (Case c : List.of(new Case(Pipeline.class, "rank=1,point=50", "1, 2, 1, 1", List.of("1000", "16", "2000")),
                new Case(NBody.class, "rank=3,point=30", "1, 1, 1, 2", List.of("256", "60")),
                new Case(MonteCarloPi.class, "rank=2,point=20", "1, 1, 2, 1", List.of("20000000", "42", "40")))) {
            MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresLogged(logging(), 
                    store.resolve(c.main().getSimpleName()), 4, List.of("--interval", "20ms"), List.of(c.kill()),
                    c.main(), c.args().toArray(String[]::new));
            assertTrue(o.err().contains("program starts by rank: " + c.starts() + "\n"), c + "\n" + o.err());
        }
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTheSameNBodyRankFailsTwice() {
        Restarts.assertSameOutputDespiteFailuresLogged(logging(), store, 3, List.of("--interval", "15ms"),
                List.of("rank=1,point=15", "rank=1,point=40"), NBody.class, "60", "50", "7", "--verify");
    }

    @Test
    void shouldPrintTheFailureFreeCountWhenARankFailsRightAfterARestart() {
        Restarts.assertSameOutputDespiteFailuresLogged(logging(), store, 3, List.of("--every", "2"),
                List.of("rank=0,point=5", "rank=2,point=6"), MonteCarloPi.class, "400000", "11", "12");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenARingRankFails() {
        Restarts.assertSameOutputDespiteFailuresLogged(logging(), store, 4, List.of("--interval", "5ms"),
                List.of("rank=2,point=30"), Ring.class, "60");
    }
}
