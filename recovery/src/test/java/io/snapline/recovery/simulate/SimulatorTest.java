package io.snapline.recovery.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    private static Model model(Protocol p, double work, double interval, double c, double r) {
        return new Model(p, 4, work, interval, c, r, 0, 1, 0, 100);
    }

    /** Failures at the given times, then none. */
    private static FailureClock at(double... times) {
        int[] i = {0};
        return () -> i[0] < times.length ? times[i[0]++] : Double.POSITIVE_INFINITY;
    }

    private static void assertAccounted(Model m, Run r) {
        assertEquals(r.wall(), m.work() + r.checkpointing() + r.lost() + r.restarting() + r.logging(),
                1e-9 * r.wall(), r.toString());
    }

    @Test
    void shouldTakeTheWorkAndACheckpointPerStretchWithoutFailures() {
        for (Protocol p : Protocol.values()) {
            Model m = new Model(p, 8, 1000, 300, 7, 50, 0.1, 0.5, 0, 100);
            Run r = Simulator.run(m, at());
            assertTrue(r.finished());
            assertEquals(ClosedForm.withoutFailures(m), r.wall(), 1e-9);
            assertEquals(4 * 7, r.checkpointing(), 1e-9, "stretches of 300, 300, 300 and 100");
            assertEquals(p == Protocol.LOGGING ? 100 : 0, r.logging(), 1e-9);
            assertEquals(0, r.lost());
            assertEquals(0, r.failures());
            assertAccounted(m, r);
        }
    }

    @Test
    void shouldLoseTheStretchUnderACoordinatedRollback() {
        // Work 100 in stretches of 50, checkpoints of 10, restarts of 5; a failure 30 s in.
        Run r = Simulator.run(model(Protocol.COORDINATED, 100, 50, 10, 5), at(30));
        assertEquals(new Run(true, 155, 20, 30, 5, 0, 1, 4 * 30), r);
    }

    @Test
    void shouldReplayOnlyTheFailedRankUnderLogging() {
        // The same failure: the others keep their 30 s; the failed rank replays them in half the time.
        Model m = new Model(Protocol.LOGGING, 4, 100, 50, 10, 5, 0, 0.5, 0, 100);
        Run r = Simulator.run(m, at(30));
        assertEquals(new Run(true, 140, 20, 15, 5, 0, 1, 15), r);
        // A failure during the checkpoint: the work is kept, the checkpoint taken again after the replay.
        Run during = Simulator.run(m, at(55));
        assertEquals(new Run(true, 55 + 5 + 25 + 10 + 60, 20, 5 + 25, 5, 0, 1, 25), during);
        assertAccounted(m, during);
    }

    @Test
    void shouldRestartAgainWhenAFailureStrikesDuringARestartOrAReplay() {
        Model m = new Model(Protocol.LOGGING, 4, 100, 50, 10, 5, 0, 0.5, 0, 100);
        // Failure at 30; another 2 s into the restart (restart again: 32..37, then the replay of 15 s from 37);
        // another 3 s into the replay (40: restart 40..45, replay 45..60); then 20 s of work, the checkpoint, and
        // stretch 2.
        Run r = Simulator.run(m, at(30, 32, 40));
        assertEquals(3, r.failures());
        assertEquals(60 + 30 + 60, r.wall(), 1e-9);
        assertEquals(2 + 5 + 5, r.restarting(), 1e-9);
        assertEquals(3 + 15, r.lost(), 1e-9);
        assertAccounted(m, r);
    }

    @Test
    void shouldRollBackToTheStartWithoutARecoveryLine() {
        // Independent without logging: stretch 1 ends at 60; a failure 10 s into stretch 2 loses both.
        Model m = model(Protocol.INDEPENDENT, 100, 50, 10, 5);
        Run r = Simulator.run(m, at(70));
        assertEquals(195, r.wall(), 1e-9);
        assertEquals(70, r.lost(), 1e-9);
        assertEquals(20, r.checkpointing(), 1e-9);
        assertAccounted(m, r);
        // With a recovery line at every checkpoint it loses only what a coordinated rollback loses.
        Model lines = new Model(Protocol.INDEPENDENT, 4, 100, 50, 10, 5, 0, 1, 1, 100);
        assertEquals(Simulator.run(model(Protocol.COORDINATED, 100, 50, 10, 5), at(70)),
                Simulator.run(lines, at(70)));
    }

    @Test
    void shouldGiveUpOnARunThatCannotFinish() {
        Model m = new Model(Protocol.INDEPENDENT, 4, 1000, 100, 10, 5, 0, 1, 0, 3);
        Estimate e = Estimate.of(m, new FailureLaw.Exponential(200), 1, 20, 7);
        assertEquals(20, e.unfinished());
        assertFalse(e.allFinished());
        assertTrue(Double.isNaN(e.waste()));
    }

    @Test
    void shouldAccountForEverySecondOfRandomRuns() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 300; i++) {
            Protocol p = Protocol.values()[random.nextInt(3)];
            Model m = new Model(p, 1 + random.nextInt(100), 1000 + random.nextDouble(1e5), 10 + random.nextDouble(1e4),
                    random.nextDouble(100), random.nextDouble(300), random.nextDouble(0.2),
                    0.1 + random.nextDouble(), random.nextInt(4), 1000);
            FailureLaw law = random.nextBoolean() ? new FailureLaw.Exponential(1e3 + random.nextDouble(1e6))
                    : new FailureLaw.Weibull(0.5 + random.nextDouble(), 1e3 + random.nextDouble(1e6));
            Run r = Simulator.run(m, law.start(1 + random.nextInt(50), random.split()));
            if (r.finished()) {
                assertAccounted(m, r);
            }
        }
    }

    @Test
    void shouldMatchDalysExpectedWallTimeUnderExponentialFailures() {
        // Within four standard errors, for short and long stretches relative to the MTTF.
        for (double[] c : new double[][] {{1000, 200, 20, 50}, {1000, 1000, 60, 120}, {3000, 150, 5, 10}}) {
            Model m = new Model(Protocol.COORDINATED, 16, 20_000, c[1], c[2], c[3], 0, 1, 0, 1000);
            Estimate e = Estimate.of(m, new FailureLaw.Exponential(c[0] * 16), 16, 4000, 11);
            double expected = ClosedForm.daly(m, c[0]);
            assertTrue(e.allFinished());
            assertTrue(Math.abs(e.wall() - expected) < 4 * e.wallError(), "simulated " + e.wall() + " ± "
                    + e.wallError() + ", Daly " + expected);
        }
    }

    @Test
    void shouldLoseWhatARollbackLosesWhenLoggingCostsNothingAndReplaysAtFullLength() {
        Model coordinated = model(Protocol.COORDINATED, 50_000, 700, 30, 60);
        Model logging = new Model(Protocol.LOGGING, 4, 50_000, 700, 30, 60, 0, 1, 0, 100);
        FailureLaw law = new FailureLaw.Exponential(3000);
        for (long seed = 0; seed < 50; seed++) {
            Run a = Simulator.run(coordinated, law.start(1, new SplittableRandom(seed)));
            Run b = Simulator.run(logging, law.start(1, new SplittableRandom(seed)));
            assertEquals(a.wall(), b.wall(), 1e-6 * a.wall(), "seed " + seed);
            assertEquals(a.failures(), b.failures());
            assertTrue(b.redoneRankSeconds() <= a.redoneRankSeconds() / 4 + 1e-6, "only the failed rank redoes");
        }
    }

    @Test
    void shouldSeeWeibullOfShapeOneAsExponential() {
        Model m = model(Protocol.COORDINATED, 20_000, 400, 20, 50);
        Estimate w = Estimate.of(m, new FailureLaw.Weibull(1, 8000), 8, 3000, 3);
        double expected = ClosedForm.daly(m, 1000);
        assertTrue(Math.abs(w.wall() - expected) < 4 * w.wallError(), w.wall() + " ± " + w.wallError() + " vs "
                + expected);
    }

    @Test
    void shouldDrawWeibullLifetimesOfTheGivenMean() {
        for (double shape : new double[] {0.5, 0.7, 1, 2}) {
            FailureClock one = new FailureLaw.Weibull(shape, 100).start(1, new SplittableRandom(5));
            int n = 200_000;
            double last = 0;
            for (int i = 0; i < n; i++) {
                double t = one.next();
                assertTrue(t >= last);
                last = t;
            }
            assertEquals(100, last / n, 100 * 0.03, "shape " + shape); // a renewal process: mean gap = the mean
        }
        assertEquals(Math.log(24), FailureLaw.logGamma(5), 1e-12);
        assertEquals(Math.log(Math.sqrt(Math.PI)), FailureLaw.logGamma(0.5), 1e-12);
    }

    @Test
    void shouldRefuseModelsThatMeanNothing() {
        assertThrows(IllegalArgumentException.class, () -> model(Protocol.COORDINATED, 0, 10, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> model(Protocol.COORDINATED, 10, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> model(Protocol.COORDINATED, 10, 1, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new FailureLaw.Weibull(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new FailureLaw.Exponential(0));
        assertThrows(IllegalArgumentException.class, () -> Estimate.of(model(Protocol.COORDINATED, 10, 1, 1, 1),
                new FailureLaw.Exponential(10), 1, 1, 0));
    }
}
