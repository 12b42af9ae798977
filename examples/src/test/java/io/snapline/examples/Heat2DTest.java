package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Heat2DTest {
    private static final int N = 30;
    private static final int ITERATIONS = 60;
    private static final Pattern HEADER =
            Pattern.compile("Heat2D: (\\d+) x (\\d+) plate, (\\d+) iterations on (\\d+) x (\\d+) ranks");

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "2, 2, 1", "3, 3, 1", "4, 2, 2", "6, 3, 2", "8, 4, 2", "9, 3, 3"})
    void shouldMatchSequentialSolveBitForBitWhenPlateIsSplitOverNRanks(int np, int rowBlocks, int colBlocks) {
        MpiRun.Outcome o = MpiRun.ok(np, Heat2D.class, Integer.toString(N), Integer.toString(ITERATIONS), "--verify");

        List<String> lines = o.lines();
        assertEquals(3, lines.size(), o.out());
        Matcher m = HEADER.matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        assertEquals(List.of(N, N, ITERATIONS, rowBlocks, colBlocks),
                List.of(group(m, 1), group(m, 2), group(m, 3), group(m, 4), group(m, 5)));
        assertEquals("Heat2D: residual " + residual(N, ITERATIONS), lines.get(1));
        assertEquals("Heat2D: verified, plate and residual are bit-identical to a sequential solve", lines.get(2));
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenRanksFailWhileCheckpointingAndAtASafePoint(@TempDir Path store) {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailures(store, 4, 10,
                List.of("rank=1,during-checkpoint=2", "rank=3,point=45"),
                Heat2D.class, Integer.toString(N), Integer.toString(ITERATIONS), "--verify");

        // Checkpoint 2 (at iteration 20) is lost, so the first restart goes back to 1; the job then commits 2, 3, 4.
        Restarts.assertRestartedFrom(o, 4, 1, 4);
    }

    @Test
    void shouldRefuseWhenPlateHasFewerRowsThanBlocks() {
        MpiRun.Outcome o = MpiRun.run(4, Heat2D.class, "1", "5");

        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("use a larger n or fewer ranks"), why);
    }

    private static int group(Matcher m, int i) {
        return Integer.parseInt(m.group(i));
    }

    /** The largest change in the last sweep, from a plain two-dimensional Jacobi solve written independently. */
    private static double residual(int n, int iterations) {
        double[][] u = new double[n + 2][n + 2];
        double[][] next = new double[n + 2][n + 2];
        for (int j = 0; j < n + 2; j++) {
            u[0][j] = 100.0;
            next[0][j] = 100.0;
        }
        double change = 0;
        for (int it = 0; it < iterations; it++) {
            change = 0;
            for (int i = 1; i <= n; i++) {
                for (int j = 1; j <= n; j++) {
                    next[i][j] = 0.25 * (u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1]);
                    change = Math.max(change, Math.abs(next[i][j] - u[i][j]));
                }
            }
            double[][] t = u;
            u = next;
            next = t;
        }
        return change;
    }
}
