package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingTest {

    @ParameterizedTest
    @CsvSource({"1, 3", "2, 1", "3, 4", "4, 3", "8, 5"})
    void shouldSumRanksOncePerLapWhenTokenCirclesTheRing(int np, int laps) {
        MpiRun.Outcome o = MpiRun.ok(np, Ring.class, Integer.toString(laps));

        long expected = (long) laps * np * (np - 1) / 2;
        assertEquals(List.of("Ring: token = " + expected + " after " + laps + " laps over " + np + " ranks"), o.lines());
    }

    @Test
    void shouldPrintTheFailureFreeTokenWhenRanksFailAtASafePointAndWhileCheckpointing(@TempDir Path store) {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailures(store, 3, 3,
                List.of("rank=0,point=5", "rank=2,during-checkpoint=3"), Ring.class, "12");

        // Lap 5 goes back to checkpoint 1 (lap 3); checkpoint 3 (lap 9) is lost, so the second restart goes to 2.
        Restarts.assertRestartedFrom(o, 3, 1, 2);
        assertEquals(List.of("Ring: token = 36 after 12 laps over 3 ranks"), o.lines());
    }
}
