package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
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
}
