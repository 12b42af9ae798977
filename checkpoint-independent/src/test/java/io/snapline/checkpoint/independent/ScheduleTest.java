package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.PolicySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldCheckpointAtEveryNthSafePointWhenGivenEvery() {
        Schedule s = Schedule.of(PolicySettings.of("independent", null, java.util.Map.of("--every", "4")), 3, 0, 0);
        List<Long> due = new ArrayList<>();
        for (long p = 1; p <= 13; p++) {
            if (s.due(p, p * MS)) {
                due.add(p);
                s.taken(p * MS);
            }
        }
        assertEquals(List.of(4L, 8L, 12L), due);
    }

    @Test
    void shouldSpaceTimedCheckpointsBetweenHalfAndOneAndAHalfIntervals() {
        Schedule s = Schedule.of(PolicySettings.of("independent", Duration.ofMillis(100), java.util.Map.of()), 1, 0, 0);
        List<Long> at = takenEveryMillis(s, 5_000);
        assertTrue(at.get(0) >= 25 && at.get(0) < 126, "first at " + at.get(0));
        for (int i = 1; i < at.size(); i++) {
            long gap = at.get(i) - at.get(i - 1);
            assertTrue(gap >= 50 && gap <= 151, "gap " + gap + " in " + at);
        }
        assertTrue(at.size() > 30 && at.size() < 100, at.size() + " checkpoints in 5 s at 100 ms");
    }

    @Test
    void shouldDriftRanksApartButRepeatForTheSameRankAndRestart() {
        PolicySettings settings = PolicySettings.of("independent", Duration.ofMillis(100), java.util.Map.of());
        List<Long> rank0 = takenEveryMillis(Schedule.of(settings, 0, 0, 0), 2_000);
        List<Long> rank1 = takenEveryMillis(Schedule.of(settings, 1, 0, 0), 2_000);
        List<Long> rank1AfterRestart = takenEveryMillis(Schedule.of(settings, 1, 5, 0), 2_000);

        assertNotEquals(rank0, rank1);
        assertEquals(rank1, takenEveryMillis(Schedule.of(settings, 1, 0, 0), 2_000));
        assertNotEquals(rank1, rank1AfterRestart);
    }

    @Test
    void shouldNotBeDueBeforeTheFirstGapHasPassed() {
        Schedule s = Schedule.of(PolicySettings.of("independent", Duration.ofSeconds(10), java.util.Map.of()), 0, 0, 1_000 * MS);
        assertFalse(s.due(1, 1_000 * MS));
        assertFalse(s.due(2, 3_000 * MS));
        assertTrue(s.due(3, 14_000 * MS));
    }

    @Test
    void shouldSpaceCheckpointsByTheIntervalChosenFromTheRanksOwnCostsUnderIntervalAuto() {
        PolicySettings settings = new PolicySettings("independent", null, 2, Duration.ofMinutes(5), Map.of(),
                new Interval.Auto(Interval.Formula.YOUNG, Duration.ofSeconds(20), 0.5));
        Schedule s = Schedule.of(settings, 1, 0, 0);
        assertEquals(2_000 * MS, s.intervalNanos(), "the start: a tenth of the MTTF");
        List<Long> first = takenEveryMillis(s, 20_000);
        for (int i = 1; i < first.size(); i++) {
            long gap = first.get(i) - first.get(i - 1);
            assertTrue(gap >= 1_000 && gap <= 3_001, "gap " + gap + " in " + first);
        }
        // a checkpoint of the rank cost 10 ms: young gives sqrt(2 * 0.01 * 20) = 632 ms
        IntervalChooser.Choice c = s.measured(1, 10 * MS, 20_000 * MS);
        assertEquals(Math.round(Math.sqrt(2 * 0.01 * 20) * 1e9), c.intervalNanos());
        assertEquals(c.intervalNanos(), s.intervalNanos());
        assertNull(s.measured(2, 10 * MS, 20_001 * MS), "the same cost again changes nothing");
        List<Long> later = takenEveryMillis(s, 20_000);
        for (int i = 1; i < later.size(); i++) {
            long gap = later.get(i) - later.get(i - 1);
            assertTrue(gap >= 316 && gap <= 949, "gap " + gap + " in " + later);
        }
    }

    @Test
    void shouldIgnoreCostsWhenTheIntervalIsFixedOrTheScheduleCountsSafePoints() {
        assertNull(Schedule.of(PolicySettings.of("independent", Duration.ofSeconds(1), Map.of()), 0, 0, 0)
                .measured(1, 10 * MS, MS));
        assertNull(Schedule.of(PolicySettings.of("independent", null, Map.of("--every", "3")), 0, 0, 0)
                .measured(1, 10 * MS, MS));
    }

    /** Times (ms) at which {@code s} checkpoints when a safe point comes every millisecond for {@code millis}. */
    private static List<Long> takenEveryMillis(Schedule s, long millis) {
        List<Long> at = new ArrayList<>();
        for (long t = 0; t <= millis; t++) {
            if (s.due(t, t * MS)) {
                at.add(t);
                s.taken(t * MS);
            }
        }
        return at;
    }
}
