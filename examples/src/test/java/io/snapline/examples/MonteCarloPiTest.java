package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonteCarloPiTest {
    private static final long SAMPLES = 200_000;
    private static final long SEED = 7;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void shouldMatchSequentialCountAndApproximatePiWhenRunOnNRanks(int np) {
        MpiRun.Outcome o = MpiRun.ok(np, MonteCarloPi.class, Long.toString(SAMPLES), Long.toString(SEED));

        long inside = 0;
        for (int rank = 0; rank < np; rank++) {
            inside += sequentialHits(SEED + rank);
        }
        long points = SAMPLES * np;
        double estimate = 4.0 * inside / points;
        assertEquals(List.of("MonteCarloPi: " + inside + " of " + points + " points inside on " + np + " ranks",
                "MonteCarloPi: pi ~ " + estimate), o.lines());
        // The estimate is 4 * (a binomial proportion with p = pi / 4): its standard deviation is
        // 4 * sqrt(p (1 - p) / points), about 1.64 / sqrt(points). Five of those make a failure by chance negligible.
        double sigma = 4 * Math.sqrt(Math.PI / 4 * (1 - Math.PI / 4) / points);
        assertTrue(Math.abs(estimate - Math.PI) < 5 * sigma, "estimate " + estimate + " is too far from pi");
    }

    @ParameterizedTest
    @CsvSource({"3, 1", "2, 7", "4, 999"})
    void shouldCountTheSamePointsWhateverTheNumberOfBatches(int np, int batches) {
        MpiRun.Outcome tenBatches = MpiRun.ok(np, MonteCarloPi.class, Long.toString(SAMPLES), Long.toString(SEED));
        MpiRun.Outcome o = MpiRun.ok(np, MonteCarloPi.class, Long.toString(SAMPLES), Long.toString(SEED),
                Integer.toString(batches));

        assertEquals(tenBatches.lines(), o.lines());
    }

    @Test
    void shouldPrintTheFailureFreeCountWhenRanksFailBeforeTheFirstCheckpointAndAtASafePoint(@TempDir Path store) {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailures(store, 3, 2,
                List.of("rank=2,during-checkpoint=1", "rank=1,point=7"),
                MonteCarloPi.class, Long.toString(SAMPLES), Long.toString(SEED), "10");

        // Checkpoint 1 is lost, so the job starts over; after batch 7 it goes back to checkpoint 3 (batch 6), whose
        // generators must be restored to where they were.
        Restarts.assertRestartedFrom(o, 3, 0, 3);
    }

    /** Written out again here so the test does not trust the program's own counting. */
    private static long sequentialHits(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < SAMPLES; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }
}
