package io.snapline.recovery.simulate;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How one node fails: its lifetimes are independent draws of this law, and a failed node is replaced at once by a new
 * one (a renewal process per node). A job on n nodes fails whenever any of its nodes does.
 */
public sealed interface FailureLaw {
    /** The mean lifetime of one node, in seconds ({@link Double#POSITIVE_INFINITY}: nodes never fail). */
    double mttfNode();

    /** The failure times of a job on {@code nodes} nodes, drawn from {@code random}. */
    FailureClock start(int nodes, SplittableRandom random);

    /** The law as the command line names it, e.g. {@code weibull (shape 0.70)}. */
    String describe();

    /** The mean time between failures of a job on {@code nodes} nodes, in seconds, in the long run. */
    default double mttfJob(int nodes) {
        return mttfNode() / nodes;
    }

    /**
     * Exponential lifetimes: failures of the job are a Poisson process of rate {@code nodes / mttfNode}, so the
     * closed forms of Young and Daly apply exactly.
     */
    record Exponential(double mttfNode) implements FailureLaw {
        public Exponential {
            if (!(mttfNode > 0)) {
                throw new IllegalArgumentException("the MTTF of a node must be positive, got " + mttfNode);
            }
        }

        @Override
        public FailureClock start(int nodes, SplittableRandom random) {
            if (Double.isInfinite(mttfNode)) {
                return () -> Double.POSITIVE_INFINITY;
            }
            double mean = mttfNode / nodes;
            double[] t = {0};
            return () -> t[0] += -mean * Math.log(1 - random.nextDouble());
        }

        @Override
        public String describe() {
            return "exponential";
        }
    }

    /**
     * Weibull lifetimes of shape {@code shape} with mean {@code mttfNode}: below 1 young nodes fail more often than
     * old ones (infant mortality, what large systems show), 1 is exponential, above 1 wear-out. Each node's next
     * failure is kept in a heap, so a job on a million nodes costs a million draws to start and a heap operation per
     * failure.
     */
    record Weibull(double shape, double mttfNode) implements FailureLaw {
        public Weibull {
            if (!(shape > 0) || Double.isInfinite(shape)) {
                throw new IllegalArgumentException("the Weibull shape must be positive, got " + shape);
            }
            if (!(mttfNode > 0)) {
                throw new IllegalArgumentException("the MTTF of a node must be positive, got " + mttfNode);
            }
        }

        /** The scale that gives the law its mean: {@code mttfNode / Γ(1 + 1/shape)}. */
        public double scale() {
            return mttfNode / Math.exp(logGamma(1 + 1 / shape));
        }

        @Override
        public FailureClock start(int nodes, SplittableRandom random) {
            if (Double.isInfinite(mttfNode)) {
                return () -> Double.POSITIVE_INFINITY;
            }
            double scale = scale();
            double[] heap = new double[nodes];
            for (int i = 0; i < nodes; i++) {
                heap[i] = lifetime(scale, random);
            }
            for (int i = nodes / 2 - 1; i >= 0; i--) {
                down(heap, i);
            }
            return () -> {
                double t = heap[0];
                heap[0] = t + lifetime(scale, random); // the failed node's replacement
                down(heap, 0);
                return t;
            };
        }

        private double lifetime(double scale, SplittableRandom random) {
            return scale * Math.pow(-Math.log(1 - random.nextDouble()), 1 / shape);
        }

        private static void down(double[] heap, int i) {
            int n = heap.length;
            double v = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= n) {
                    break;
                }
                if (child + 1 < n && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= v) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = v;
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "weibull (shape %.2f)", shape);
        }
    }

    /** {@code ln Γ(x)} for {@code x > 0} (Lanczos, g = 7, nine terms; relative error below 1e-13). */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }
}
