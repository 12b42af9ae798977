package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The interval chooser, driven by a fake clock: each cost is given with the time it was measured at. */
class IntervalChooserTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final Duration SIX_HOURS = Duration.ofHours(6);

    /** A fake clock: starts at an arbitrary origin, moves only when told. */
    private long now = 7_000 * S;

    private long tick(long nanos) {
        now += nanos;
        return now;
    }

    private static Interval.Auto auto(Interval.Formula f, Duration mttf) {
        return new Interval.Auto(f, mttf, 0.5);
    }

    @Test
    void shouldPickYoungsIntervalFromTheMeasuredCostAndTheMttf() {
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.YOUNG, SIX_HOURS), now);
        IntervalChooser.Choice chosen = c.measured(1, 212 * MS, tick(30 * S));
        double expected = Math.sqrt(2 * 0.212 * 6 * 3600); // 95.7 s
        assertEquals(Math.round(expected * 1e9), chosen.intervalNanos());
        assertEquals(chosen.intervalNanos(), c.intervalNanos());
        assertEquals(1, chosen.afterCheckpoint());
        assertEquals(212 * MS, chosen.costNanos());
        assertEquals(now, chosen.atNanos());
        assertEquals("interval 95.7 s after checkpoint 1 (young: sqrt(2 * 212.0 ms * 6.0 h) = 95.7 s; t_c of "
                + "checkpoint 1)", chosen.describe());
    }

    @Test
    void shouldPickDalysHigherOrderIntervalFromTheMeasuredCostAndTheMttf() {
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.DALY, SIX_HOURS), now);
        IntervalChooser.Choice chosen = c.measured(1, 212 * MS, tick(30 * S));
        double d = 0.212;
        double m = 6 * 3600;
        double expected = Math.sqrt(2 * d * m) * (1 + Math.sqrt(d / (2 * m)) / 3 + d / (2 * m) / 9) - d;
        assertEquals(Math.round(expected * 1e9), chosen.intervalNanos());
        assertTrue(chosen.reason().startsWith("daly: sqrt(2 * 212.0 ms * 6.0 h) * [1 + sqrt(t_c/2M)/3 + (t_c/2M)/9] "
                + "- 212.0 ms = 95.6 s"), chosen.reason());
    }

    @Test
    void shouldTakeTheMttfAsDalysIntervalWhenTheCostIsAtLeastTwiceTheMttf() {
        assertEquals(10.0, IntervalChooser.optimum(Interval.Formula.DALY, 20.0, 10.0, 0.5));
        assertEquals(10.0, IntervalChooser.optimum(Interval.Formula.DALY, 25.0, 10.0, 0.5));
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.DALY, Duration.ofSeconds(10)), now);
        IntervalChooser.Choice chosen = c.measured(1, 20 * S, tick(S));
        assertEquals(10 * S, chosen.intervalNanos());
        assertTrue(chosen.reason().startsWith("daly: t_c 20.0 s >= 2 * MTTF, so the MTTF = 10.0 s;"),
                chosen.reason());
    }

    @Test
    void shouldPickWongAndFranklinsIntervalWithTheGivenH() {
        IntervalChooser c = IntervalChooser.of(new Interval.Auto(Interval.Formula.WONG_FRANKLIN, SIX_HOURS, 0.25), now);
        IntervalChooser.Choice chosen = c.measured(1, 212 * MS, tick(30 * S));
        double expected = Math.sqrt(6 * 3600 * 0.212) / 0.25;
        assertEquals(Math.round(expected * 1e9), chosen.intervalNanos());
        assertTrue(chosen.reason().startsWith("wong-franklin: sqrt(6.0 h * 212.0 ms) / 0.25 = 4.5 min"),
                chosen.reason());
        assertEquals(2 * Math.sqrt(3.0 * 7.0), IntervalChooser.optimum(Interval.Formula.WONG_FRANKLIN, 3.0, 7.0, 0.5),
                1e-12, "h 0.5 doubles sqrt(M t_c)");
    }

    @Test
    void shouldStartAtTheDefaultIntervalOrATenthOfTheMttfWhicheverIsSmallerBeforeAnythingIsMeasured() {
        IntervalChooser longMttf = IntervalChooser.of(auto(Interval.Formula.YOUNG, SIX_HOURS), now);
        assertEquals(30 * S, longMttf.intervalNanos());
        assertEquals(0, longMttf.current().afterCheckpoint());
        assertEquals(-1, longMttf.current().costNanos());
        assertEquals("interval 30.0 s at the start (no checkpoint measured yet: the smaller of 30.0 s and MTTF/10 = "
                + "36.0 min)", longMttf.current().describe());

        IntervalChooser shortMttf = IntervalChooser.of(auto(Interval.Formula.DALY, Duration.ofMinutes(2)), now);
        assertEquals(12 * S, shortMttf.intervalNanos());

        IntervalChooser tiny = IntervalChooser.of(auto(Interval.Formula.YOUNG, Duration.ofMillis(1500)), now);
        assertEquals(150 * MS, tiny.intervalNanos());
        assertTrue(tiny.current().reason().endsWith("MTTF/10 = 150.0 ms"), tiny.current().reason());
        IntervalChooser second = IntervalChooser.of(auto(Interval.Formula.YOUNG, Duration.ofSeconds(1)), now);
        assertEquals(IntervalChooser.MIN_NANOS, second.intervalNanos());
    }

    @Test
    void shouldRaiseAnIntervalBelowTheMinimumAndSaySo() {
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.YOUNG, Duration.ofSeconds(2)), now);
        IntervalChooser.Choice chosen = c.measured(1, MS, tick(S)); // sqrt(2 * 0.001 * 2) = 63 ms
        assertEquals(IntervalChooser.MIN_NANOS, chosen.intervalNanos());
        assertTrue(chosen.reason().contains("= 63.2 ms, raised to the 100.0 ms minimum"), chosen.reason());
    }

    @Test
    void shouldLowerAnIntervalAboveTheMttfAndSaySo() {
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.WONG_FRANKLIN, Duration.ofSeconds(10)), now);
        IntervalChooser.Choice chosen = c.measured(1, 8 * S, tick(S)); // sqrt(10 * 8) / 0.5 = 17.9 s
        assertEquals(10 * S, chosen.intervalNanos());
        assertTrue(chosen.reason().contains("= 17.9 s, lowered to the MTTF"), chosen.reason());
    }

    @Test
    void shouldAverageTheLastFourCostsAndChangeOnlyWhenTheIntervalMovesByMoreThanATenth() {
        IntervalChooser c = IntervalChooser.of(auto(Interval.Formula.YOUNG, SIX_HOURS), now);
        assertNotNull(c.measured(1, 200 * MS, tick(30 * S)), "the first measured cost replaces the start");
        assertEquals(young(0.200), c.intervalNanos());
        // mean(200, 220) = 210 ms: the interval would move by 2.5 %, so it stays
        assertNull(c.measured(2, 220 * MS, tick(50 * S)));
        assertEquals(young(0.200), c.intervalNanos());
        // mean(200, 220, 600) = 340 ms: +30 %
        IntervalChooser.Choice up = c.measured(3, 600 * MS, tick(50 * S));
        assertEquals(young(0.340), up.intervalNanos());
        assertTrue(up.reason().endsWith("t_c the mean of the last 3 checkpoints"), up.reason());
        // mean(200, 220, 600, 580) = 400 ms: +8.5 %, stays
        assertNull(c.measured(4, 580 * MS, tick(60 * S)));
        // the window drops 200: mean(220, 600, 580, 1000) = 600 ms: +33 %
        IntervalChooser.Choice later = c.measured(5, 1000 * MS, tick(60 * S));
        assertEquals(young(0.600), later.intervalNanos());
        assertEquals(5, later.afterCheckpoint());
        assertEquals(600 * MS, later.costNanos());
        // cheaper again: mean(600, 580, 1000, 20) = 550 ms, -4 %: stays; then (580, 1000, 20, 20) = 405 ms: -18 %
        assertNull(c.measured(6, 20 * MS, tick(60 * S)));
        IntervalChooser.Choice down = c.measured(7, 20 * MS, tick(60 * S));
        assertEquals(young(0.405), down.intervalNanos());
    }

    @Test
    void shouldEstimateTheMttfFromThePriorAndTheFailuresSeen() {
        // The prior counts as one failure in its MTTF: (6 h + 2 h) / (1 + 3) = 2 h.
        assertEquals(Duration.ofHours(2), IntervalChooser.learnedMttf(SIX_HOURS, 2 * 3600 * S, 3));
        assertEquals(Duration.ofHours(8), IntervalChooser.learnedMttf(SIX_HOURS, 2 * 3600 * S, 0),
                "a run without failures makes them look rarer");
        assertEquals(Interval.Auto.MIN_MTTF, IntervalChooser.learnedMttf(Duration.ofSeconds(2), S, 1000));
        assertEquals("MTTF learned from 3 failure(s) in 2.0 h with the prior 6.0 h: (6.0 h + 2.0 h) / (1 + 3) = 2.0 h",
                IntervalChooser.describeLearned(SIX_HOURS, 2 * 3600 * S, 3));
    }

    @Test
    void shouldKeepEveryOtherSettingWhenTheMttfIsReplaced() {
        PolicySettings s = new PolicySettings("p", null, 3, Duration.ofSeconds(9), java.util.Map.of("--x", "1"),
                new Interval.Auto(Interval.Formula.DALY, SIX_HOURS, 0.5, true), Compression.LZ4, true, true);
        PolicySettings learned = s.withAuto(s.auto().withMttf(Duration.ofHours(2)));
        assertEquals(new PolicySettings("p", null, 3, Duration.ofSeconds(9), java.util.Map.of("--x", "1"),
                new Interval.Auto(Interval.Formula.DALY, Duration.ofHours(2), 0.5, true), Compression.LZ4, true, true),
                learned);
    }

    @Test
    void shouldChooseAgainFromTheMeasuredCostsWhenTheMttfIsEstimatedAgain() {
        IntervalChooser c = IntervalChooser.of(new Interval.Auto(Interval.Formula.YOUNG, SIX_HOURS, 0.5, true), now);
        c.measured(1, 200 * MS, tick(30 * S));
        assertEquals(young(0.200), c.intervalNanos());
        // 6 h to 1.5 h: Young's interval halves
        IntervalChooser.Choice again = c.mttfEstimated(Duration.ofMinutes(90), "MTTF learned from 3 failure(s)",
                tick(60 * S));
        assertEquals(Math.round(Math.sqrt(2 * 0.2 * 5400) * 1e9), again.intervalNanos());
        assertEquals(1, again.afterCheckpoint(), "still from the costs measured up to checkpoint 1");
        assertTrue(again.reason().startsWith("MTTF learned from 3 failure(s); young: sqrt(2 * 200.0 ms * 90.0 min)"),
                again.reason());
        // an estimate within a tenth changes nothing; later costs are weighed against the new MTTF
        assertNull(c.mttfEstimated(Duration.ofMinutes(95), "again", tick(S)));
        IntervalChooser.Choice next = c.measured(2, 1800 * MS, tick(60 * S));
        assertEquals(Math.round(Math.sqrt(2 * 1.0 * 95 * 60) * 1e9), next.intervalNanos());
    }

    @Test
    void shouldStartFromTheEstimatedMttfWhenNothingIsMeasuredYet() {
        IntervalChooser c = IntervalChooser.of(new Interval.Auto(Interval.Formula.YOUNG, Duration.ofSeconds(100), 0.5,
                true), now);
        assertEquals(10 * S, c.intervalNanos(), "a tenth of the MTTF");
        IntervalChooser.Choice again = c.mttfEstimated(Duration.ofSeconds(20), "learned", tick(S));
        assertEquals(2 * S, again.intervalNanos());
        assertEquals(0, again.afterCheckpoint());
        assertNull(IntervalChooser.of(new Interval.Fixed(Duration.ofSeconds(5)), now).mttfEstimated(
                Duration.ofSeconds(20), "learned", now), "a fixed interval stays");
    }

    private static long young(double tc) {
        return Math.round(Math.sqrt(2 * tc * 6 * 3600) * 1e9);
    }

    @Test
    void shouldNeverChangeAFixedInterval() {
        IntervalChooser c = IntervalChooser.of(new Interval.Fixed(Duration.ofMillis(1500)), now);
        assertFalse(c.auto());
        assertEquals(1500 * MS, c.intervalNanos());
        assertNull(c.measured(1, 10 * S, tick(S)));
        assertEquals(1500 * MS, c.intervalNanos());
    }

    @Test
    void shouldCarryAChoiceThroughItsEncoding() {
        IntervalChooser.Choice c = new IntervalChooser.Choice(3, 41 * S, 212 * MS, "young: é", 99);
        ByteBuffer b = ByteBuffer.allocate(100).put((byte) 4).put(c.encode()).flip();
        b.get();
        assertEquals(c, IntervalChooser.Choice.decode(b));
    }

    @Test
    void shouldRefuseSettingsOutsideTheirRange() {
        assertThrows(IllegalArgumentException.class,
                () -> new Interval.Auto(Interval.Formula.YOUNG, Duration.ofMillis(999), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Interval.Auto(Interval.Formula.YOUNG, SIX_HOURS, 0));
        assertThrows(IllegalArgumentException.class, () -> new Interval.Auto(Interval.Formula.YOUNG, SIX_HOURS, 1.01));
        assertThrows(IllegalArgumentException.class, () -> new Interval.Fixed(Duration.ZERO));
        assertEquals(Interval.Formula.WONG_FRANKLIN, Interval.Formula.byFlag("Wong-Franklin"));
        assertNull(Interval.Formula.byFlag("wong"));
    }
}
