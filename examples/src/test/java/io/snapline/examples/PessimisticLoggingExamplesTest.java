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
 * The examples under {@code --checkpoint independent --logging pessimistic}, with the kinds of failure a message log
 * must survive: a rank at a safe point, two ranks at once, the same rank twice, a rank while it writes a checkpoint,
 * and a second failure right after a restart, while the restarted ranks re-execute from their checkpoints. Every run
 * must print exactly what a failure-free run prints. (The master/worker and pipeline programs, with wildcard
 * receives, run under this policy in {@link IrregularProgramsTest}.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PessimisticLoggingExamplesTest {
    @TempDir
    Path store;

    @Test
    void shouldPrintTheFailureFreeResultWhenTwoHeat2DRanksFailAtOnceAndAnotherWhileCheckpointing() throws Exception {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresLogged(store, 4, List.of("--interval", "10ms"),
                List.of("rank=1,point=60", "rank=2,point=60", "rank=3,during-checkpoint=3"), Heat2D.class, "48",
                "160", "--verify");
        // With --interval (not --every) the ranks' checkpoints fall at different iterations; each rank continues
        // from its own newest, and the store keeps nothing older.
        long[] line = Restarts.recoveryLines(o).get(Restarts.recoveryLines(o).size() - 1);
        for (long k : line) {
            assertTrue(k > 0, "every rank restarts from a checkpoint of its own: " + o.err());
        }
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            for (int r = 0; r < 4; r++) {
                assertEquals(1, s.localIndexes(r).size(), "rank " + r + " keeps one checkpoint: " + s.localIndexes(r));
            }
        }
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTheSameNBodyRankFailsTwice() {
        Restarts.assertSameOutputDespiteFailuresLogged(store, 3, List.of("--interval", "15ms"),
                List.of("rank=1,point=15", "rank=1,point=40"), NBody.class, "60", "50", "7", "--verify");
    }

    @Test
    void shouldPrintTheFailureFreeCountWhenARankFailsRightAfterARestart() {
        Restarts.assertSameOutputDespiteFailuresLogged(store, 3, List.of("--every", "2"),
                List.of("rank=0,point=5", "rank=2,point=6"), MonteCarloPi.class, "400000", "11", "12");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenARingRankFails() {
        Restarts.assertSameOutputDespiteFailuresLogged(store, 4, List.of("--interval", "5ms"),
                List.of("rank=2,point=30"), Ring.class, "60");
    }
}
