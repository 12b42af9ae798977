package io.snapline.recovery.simulate;

import java.util.SplittableRandom;

/**
 * The mean over many {@link Run}s of one model on one failure law: expected wall time with its standard error, and
 * the expected parts of the waste. Runs that did not finish count only in {@link #unfinished()}; the means are over
 * the others.
 *
 * @param runs       runs simulated
 * @param unfinished runs abandoned at the give-up time
 */
public record Estimate(Model model, int nodes, int runs, int unfinished, double wall, double wallError,
        double checkpointing, double lost, double restarting, double logging, double failures,
        double redoneRankSeconds) {

    /** Simulates {@code runs} runs of {@code model} on {@code nodes} nodes failing by {@code law}, from {@code seed}. */
    public static Estimate of(Model model, FailureLaw law, int nodes, int runs, long seed) {
        if (runs < 2) {
            throw new IllegalArgumentException("at least 2 runs are needed for an error estimate, got " + runs);
        }
        if (nodes < 1) {
            throw new IllegalArgumentException("a job runs on at least one node, got " + nodes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int finished = 0;
        double sum = 0;
        double sumSq = 0;
        double[] parts = new double[6];
        for (int i = 0; i < runs; i++) {
            Run r = Simulator.run(model, law.start(nodes, random.split()));
            if (!r.finished()) {
                continue;
            }
            finished++;
            sum += r.wall();
            sumSq += r.wall() * r.wall();
            parts[0] += r.checkpointing();
            parts[1] += r.lost();
            parts[2] += r.restarting();
            parts[3] += r.logging();
            parts[4] += r.failures();
            parts[5] += r.redoneRankSeconds();
        }
        if (finished == 0) {
            return new Estimate(model, nodes, runs, runs, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = sum / finished;
        double variance = finished > 1 ? Math.max(0, (sumSq - finished * mean * mean) / (finished - 1)) : 0;
        return new Estimate(model, nodes, runs, runs - finished, mean, Math.sqrt(variance / finished),
                parts[0] / finished, parts[1] / finished, parts[2] / finished, parts[3] / finished,
                parts[4] / finished, parts[5] / finished);
    }

    /** Whether every run finished. */
    public boolean allFinished() {
        return unfinished == 0;
    }

    /** The share of the wall time that is not the program's work: {@code (wall - work) / wall}. */
    public double waste() {
        return allFinished() ? (wall - model.work()) / wall : Double.NaN;
    }

    /** {@code part} as a share of the expected wall time. */
    public double share(double part) {
        return part / wall;
    }
}
