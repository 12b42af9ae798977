package io.snapline.recovery.simulate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.Interval;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalsTest {
    @Test
    void shouldFindAnOptimumNoWorseThanAnyFormulaAndCloseToDalys() {
        Model m = new Model(Protocol.COORDINATED, 1000, 86_400, 600, 60, 120, 0, 1, 0, 100);
        FailureLaw law = new FailureLaw.Exponential(1000 * 4 * 3600.0);
        List<Intervals.Point> curve = Intervals.curve(m, law, 1000, 300, 9);
        Intervals.Point best = Intervals.best(curve);
        double bestWaste = best.estimate().waste();
        for (Interval.Formula f : Interval.Formula.values()) {
            double t = Intervals.formula(f, m, law.mttfJob(1000), 0.5);
            Estimate e = Estimate.of(m.withInterval(t), law, 1000, 300, 9);
            assertTrue(e.waste() >= bestWaste - 0.002, f + ": " + e.waste() + " below the optimum " + bestWaste);
        }
        // Daly's closed form is exact here: its minimum and the simulated one lie close together.
        double daly = Intervals.formula(Interval.Formula.DALY, m, law.mttfJob(1000), 0.5);
        double dalyWall = ClosedForm.daly(m.withInterval(daly), law.mttfJob(1000));
        double dalyWaste = (dalyWall - m.work()) / dalyWall;
        assertTrue(Math.abs(dalyWaste - bestWaste) < 0.01, dalyWaste + " vs " + bestWaste);
        assertTrue(best.interval() > daly / 2 && best.interval() < daly * 2, best.interval() + " vs " + daly);
    }

    @Test
    void shouldCheckpointOnceWhenNothingFails() {
        Model m = new Model(Protocol.COORDINATED, 10, 3600, 60, 5, 10, 0, 1, 0, 100);
        FailureLaw never = new FailureLaw.Exponential(Double.POSITIVE_INFINITY);
        for (Interval.Formula f : Interval.Formula.values()) {
            assertTrue(Intervals.formula(f, m, never.mttfJob(10), 0.5) == 3600);
        }
    }
}
