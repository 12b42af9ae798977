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
class MatMulTest {
    private static final Pattern RESULT =
            Pattern.compile("MatMul: (\\d+) x (\\d+) on (\\d+) ranks, sum of C = (-?\\d+)\\.0");

    @ParameterizedTest
    @CsvSource({"1, 50, 8", "2, 50, 8", "3, 50, 8", "4, 50, 8", "6, 50, 8", "8, 50, 8", "4, 3, 8", "3, 1, 8",
            "3, 50, 1", "4, 50, 5", "2, 50, 100"})
    void shouldEqualSequentialProductWhenRowsAreScatteredOverNRanks(int np, int n, int rowsPerStep) {
        MpiRun.Outcome o = MpiRun.ok(np, MatMul.class, Integer.toString(n), Integer.toString(rowsPerStep), "--verify");

        List<String> lines = o.lines();
        assertEquals(2, lines.size(), o.out());
        Matcher m = RESULT.matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        assertEquals(n, Integer.parseInt(m.group(1)));
        assertEquals(np, Integer.parseInt(m.group(3)));
        assertEquals(expectedSum(n), Long.parseLong(m.group(4)));
        assertEquals("MatMul: verified, C equals the sequential product exactly", lines.get(1));
    }

    @Test
    void shouldPrintTheFailureFreeProductWhenRanksFailAtASafePointAndWhileCheckpointing(@TempDir Path store) {
        // 50 rows on 4 ranks, 2 rows per step: 7 steps (rank 0 has 13 rows), checkpoints at steps 2, 4 and 6.
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailures(store, 4, 2,
                List.of("rank=3,point=5", "rank=0,during-checkpoint=3"), MatMul.class, "50", "2", "--verify");

        Restarts.assertRestartedFrom(o, 4, 2, 2);
    }

    @Test
    void shouldRefuseWhenRowsPerStepIsNotPositive() {
        MpiRun.Outcome o = MpiRun.run(2, MatMul.class, "10", "0");

        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("rows per step must be at least 1"), why);
    }

    /**
     * The sum of all entries of A x B is sum over k of (column k of A summed) times (row k of B summed); computed
     * that way it does not share code with the program.
     */
    private static long expectedSum(int n) {
        long sum = 0;
        for (int k = 0; k < n; k++) {
            long columnOfA = 0;
            long rowOfB = 0;
            for (int i = 0; i < n; i++) {
                columnOfA += (i + 2 * k) % 7 - 2;
                rowOfB += (3 * k + i) % 5 - 1;
            }
            sum += columnOfA * rowOfB;
        }
        return sum;
    }
}
