package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heat stencil and N-body under {@code --checkpoint independent --logging none}: ranks checkpoint on their own,
 * failures restart every rank from the strongly consistent recovery line over their local checkpoints, and the output
 * is identical to a failure-free run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IndependentRestartTest {
    @TempDir
    Path store;

    @Test
    void shouldPrintTheFailureFreeResultWhenHeat2DRanksFailAndRestartFromTheLine() {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresIndependent(store, 4, List.of("--every", "10"),
                List.of("rank=1,during-checkpoint=2", "rank=3,point=45"), Heat2D.class, "48", "120", "--verify");

        // Neighbours exchange halos every iteration, so a strongly consistent line has every rank at the same
        // iteration. Rank 1 died writing its checkpoint 2 (iteration 20; the kill may land just after the write
        // committed): back to 1 or 2. Rank 3 died at iteration 45, when every rank had checkpointed at 40 and none
        // could pass 46: back to 4, or to 3 when a neighbour's halo for iteration 41 had already arrived when a rank
        // checkpointed at 40 (received before the line, sent after it: an orphan).
        List<long[]> lines = Restarts.recoveryLines(o);
        assertEquals(2, lines.size(), o.err());
        assertUniform(lines.get(0), 1, 2, o);
        assertUniform(lines.get(1), 3, 4, o);
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenHeat2DCheckpointsFallAtRandomTimes() {
        Restarts.assertSameOutputDespiteFailuresIndependent(store, 4, List.of("--interval", "10ms"),
                List.of("rank=2,point=60", "rank=0,point=100"), Heat2D.class, "48", "140", "--verify");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenNBodyRanksFail() {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailuresIndependent(store, 3, List.of("--every", "4"),
                List.of("rank=0,point=6", "rank=2,during-checkpoint=4", "rank=1,point=27"),
                NBody.class, "50", "30", "42", "--verify");

        // Rank 0 died at step 6, having checkpointed at step 4; all-to-all traffic every step keeps the line uniform.
        assertUniform(Restarts.recoveryLines(o).get(0), 0, 1, o);
    }

    /** Every rank on the same local checkpoint, between {@code min} and {@code max}. */
    private static void assertUniform(long[] line, long min, long max, MpiRun.Outcome o) {
        for (long k : line) {
            assertEquals(line[0], k, java.util.Arrays.toString(line) + "\n" + o.err());
        }
        assertTrue(line[0] >= min && line[0] <= max, java.util.Arrays.toString(line) + "\n" + o.err());
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenNBodyCheckpointsFallAtRandomTimes() {
        Restarts.assertSameOutputDespiteFailuresIndependent(store, 3, List.of("--interval", "15ms"),
                List.of("rank=1,point=15", "rank=2,point=40"), NBody.class, "60", "50", "7", "--verify");
    }
}
