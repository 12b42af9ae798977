package io.snapline.recovery.simulate;

import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.IntervalChooser;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint intervals to compare: each formula's choice (as {@code --interval auto} would make it from the
 * checkpoint cost and the job's MTTF) and the simulated optimum, found by simulating a range of intervals with the
 * same failures (common random numbers, so that the curve is smooth enough to take its minimum).
 */
public final class Intervals {
    /** Intervals simulated in the first sweep, and again around its best. */
    static final int GRID = 24;

    private Intervals() {
    }

    /** Formula {@code f}'s interval in seconds for {@code model} on a job of MTTF {@code mttfJob}, at most the work. */
    public static double formula(Interval.Formula f, Model model, double mttfJob, double h) {
        if (Double.isInfinite(mttfJob)) {
            return model.work();
        }
        double t = IntervalChooser.optimum(f, model.checkpointCost(), mttfJob, h);
        return Math.max(model.work() / Model.MAX_STRETCHES, Math.min(model.work(), t));
    }

    /** One simulated point of the waste curve. */
    public record Point(double interval, Estimate estimate) {
    }

    /**
     * The curve of expected waste against the interval for {@code model} on {@code nodes} nodes, over intervals from
     * a twentieth to twenty times Young's (within the work), {@code runs} runs per point, all from {@code seed}.
     */
    public static List<Point> curve(Model model, FailureLaw law, int nodes, int runs, long seed) {
        double young = formula(Interval.Formula.YOUNG, model, law.mttfJob(nodes), 0.5);
        double lo = Math.max(model.work() / Model.MAX_STRETCHES, young / 20);
        double hi = Math.min(model.work(), young * 20);
        List<Point> points = new ArrayList<>();
        sweep(points, model, law, nodes, runs, seed, lo, Math.max(hi, lo));
        Point best = best(points);
        if (best != null && hi > lo) {
            double step = Math.pow(hi / lo, 1.0 / (GRID - 1));
            sweep(points, model, law, nodes, runs, seed, Math.max(lo, best.interval() / step),
                    Math.min(hi, best.interval() * step));
        }
        points.sort(java.util.Comparator.comparingDouble(Point::interval));
        return points;
    }

    /** The point of least expected wall time among those that finished every run (null if none did). */
    public static Point best(List<Point> points) {
        Point best = null;
        for (Point p : points) {
            if (p.estimate().allFinished() && (best == null || p.estimate().wall() < best.estimate().wall())) {
                best = p;
            }
        }
        return best;
    }

    private static void sweep(List<Point> into, Model model, FailureLaw law, int nodes, int runs, long seed,
            double lo, double hi) {
        for (int i = 0; i < GRID; i++) {
            double t = GRID == 1 || hi <= lo ? lo : lo * Math.pow(hi / lo, i / (double) (GRID - 1));
            into.add(new Point(t, Estimate.of(model.withInterval(t), law, nodes, runs, seed)));
            if (hi <= lo) {
                return;
            }
        }
    }
}
