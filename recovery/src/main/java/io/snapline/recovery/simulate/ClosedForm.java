package io.snapline.recovery.simulate;

/**
 * The expected wall time where a closed form exists, to check the simulator against (and the simulator's users
 * against the formulas they know).
 */
public final class ClosedForm {
    private ClosedForm() {
    }

    /** Without failures: the work, slowed down by logging, and a checkpoint after every stretch. */
    public static double withoutFailures(Model m) {
        return m.work() * m.slowdown() + stretches(m) * m.checkpointCost();
    }

    /**
     * Daly (2006): with exponential failures of mean {@code mttfJob} seconds, a rollback of everything to the last
     * checkpoint and a restart that a failure starts again, a stretch of {@code s} seconds followed by a checkpoint of
     * {@code c} takes {@code M e^(R/M) (e^((s + c)/M) - 1)} on average; the job is the sum over its stretches. Holds
     * for {@link Protocol#COORDINATED}, and for {@link Protocol#LOGGING} without overhead and with a replay as long as
     * the work it replays, which then loses exactly what a rollback loses.
     */
    public static double daly(Model m, double mttfJob) {
        double full = Math.floor(m.work() / m.interval());
        double rest = m.work() - full * m.interval();
        double perStretch = stretch(m.interval(), m, mttfJob);
        return full * perStretch + (rest > m.work() * 1e-12 ? stretch(rest, m, mttfJob) : 0);
    }

    private static double stretch(double s, Model m, double mttf) {
        return mttf * Math.exp(m.restartCost() / mttf) * Math.expm1((s + m.checkpointCost()) / mttf);
    }

    /** The number of stretches (and checkpoints) of the job. */
    static long stretches(Model m) {
        double full = Math.floor(m.work() / m.interval());
        double rest = m.work() - full * m.interval();
        return (long) full + (rest > m.work() * 1e-12 ? 1 : 0);
    }
}
